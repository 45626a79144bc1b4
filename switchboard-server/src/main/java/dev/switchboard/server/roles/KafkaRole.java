package dev.switchboard.server.roles;

import dev.switchboard.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded single-node KRaft Kafka broker as a process of its own, for {@code local-cluster}. */
public final class KafkaRole implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaRole.class);

    private final EmbeddedKafka kafka;

    private KafkaRole(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    /** Starts the broker with its data under {@code dataDir} (port 0: a free one); logs "ready". */
    public static KafkaRole start(Path dataDir, int port) {
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port);
        LOGGER.info("ready role=kafka bootstrap-servers={} data-dir={}", kafka.bootstrapServers(), dataDir);
        return new KafkaRole(kafka);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public void close() {
        kafka.close();
        LOGGER.info("stopped role=kafka");
    }
}
