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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
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
    private static @Nullable EmbeddedKafka broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker();
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /**
     * Creates a topic (replication factor 1); an existing topic is left as it is. Returns once the broker
     * describes it with a leader for every partition: the controller acknowledges a creation a moment before the
     * broker's metadata has it, and a test allocating at once would otherwise meet TOPIC_NOT_FOUND now and then.
     */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                        .all()
                        .get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name, e.getCause());
                }
            }
            awaitDescribed(admin, name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    private static void awaitDescribed(Admin admin, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get()
                        .get(name);
                if (description != null
                        && description.partitions().stream().allMatch(partition -> partition.leader() != null)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has partitions without a leader");
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " was created but is not described", e);
                }
            }
        }
    }

    private static synchronized EmbeddedKafka broker() {
        EmbeddedKafka current = broker;
        if (current == null) {
            Path dataDir = createTempDir();
            EmbeddedKafka started = EmbeddedKafka.start(dataDir, 0);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                started.close();
                                deleteRecursively(dataDir);
                            },
                            "test-kafka-shutdown"));
            broker = started;
            current = started;
        }
        return current;
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
