package dev.switchboard.testkit;

import dev.switchboard.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (in-JVM, KRaft) for integration tests:
 * {@code @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();}
 *
 * <p>One broker serves every test class of the JVM: it starts on first use, on a fresh temporary data dir, and
 * stops when the JVM exits. Tests keep apart by using their own topic names.
 */
public final class KafkaExtension implements BeforeAllCallback {
    private static EmbeddedKafka broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker();
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** Creates a topic (replication factor 1); an existing topic is left as it is. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    private static synchronized EmbeddedKafka broker() {
        if (broker == null) {
            Path dataDir = createTempDir();
            broker = EmbeddedKafka.start(dataDir, 0);
            EmbeddedKafka started = broker;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                started.close();
                                deleteRecursively(dataDir);
                            },
                            "test-kafka-shutdown"));
        }
        return broker;
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("switchboard-test-kafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir left behind is harmless
        }
    }
}
