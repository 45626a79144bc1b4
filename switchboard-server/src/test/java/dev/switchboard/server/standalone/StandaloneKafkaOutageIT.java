package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.kafka.embedded.EmbeddedKafka;
import dev.switchboard.testkit.ThriftOverHttp;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone with its Kafka broker stopped and started again: {@code /health/ready} answers 503 while the
 * backend does not reach Kafka, and 200 again once it does, without restarting anything else.
 */
class StandaloneKafkaOutageIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void readinessFollowsWhetherTheBackendReachesKafka() throws Exception {
        Standalone standalone = Standalone.start(dataDir, 0);
        EmbeddedKafka restarted = null;
        try {
            // Given a ready standalone node
            ThriftOverHttp http = new ThriftOverHttp(standalone.uri());
            await().atMost(PATIENCE).until(() -> http.get("/health/ready").statusCode() == 200);

            // When its Kafka broker stops
            standalone.kafka().close();

            // Then it is not ready
            await().atMost(PATIENCE).until(() -> http.get("/health/ready").statusCode() == 503);
            assertThat(http.get("/health/live").statusCode()).isEqualTo(200);

            // And when the broker is back (same data dir, same port), it is ready again
            restarted = EmbeddedKafka.start(dataDir.resolve("kafka"), 0);
            assertThat(restarted.bootstrapServers()).isEqualTo(standalone.kafkaBootstrapServers());
            await().atMost(PATIENCE).until(() -> http.get("/health/ready").statusCode() == 200);
        } finally {
            standalone.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }
}
