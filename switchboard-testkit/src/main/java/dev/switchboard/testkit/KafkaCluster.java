package dev.switchboard.testkit;

import dev.switchboard.kafka.embedded.EmbeddedKafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A Kafka cluster of several brokers in the test JVM (KRaft, every node broker and controller, from
 * switchboard-kafka-embedded), on a temporary data dir deleted on close, for tests of replication and of a broker
 * lost: {@code try (KafkaCluster kafka = KafkaCluster.start(3)) { ... kafka.stopBroker(2); ... }}. Heavier than
 * {@link KafkaExtension}'s single broker (each node runs its own threads): keep such tests few and short.
 */
public final class KafkaCluster implements AutoCloseable {
    private final Path dataDir;
    private final EmbeddedKafkaCluster cluster;

    private KafkaCluster(Path dataDir, EmbeddedKafkaCluster cluster) {
        this.dataDir = dataDir;
        this.cluster = cluster;
    }

    /** Starts {@code brokers} nodes and returns once every broker serves. */
    public static KafkaCluster start(int brokers) {
        Path dir;
        try {
            dir = Files.createTempDirectory("switchboard-test-kafka-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new KafkaCluster(dir, EmbeddedKafkaCluster.start(dir, brokers));
        } catch (RuntimeException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    /** Every broker, as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Stops broker {@code id} (its node id, 1..n) as if it were lost (no controlled shutdown; the others move its
     * leaderships within 3 s); it stays stopped.
     */
    public void stopBroker(int id) {
        cluster.stop(id);
    }

    @Override
    public void close() {
        cluster.close();
        deleteRecursively(dataDir);
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
