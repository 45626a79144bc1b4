package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.core.routing.RendezvousHashing;
import dev.switchboard.testkit.EmbeddedAmqpBroker;
import dev.switchboard.testkit.ThriftOverHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local cluster whose two shards are two independent embedded Qpid brokers in this JVM, so a test can stop
 * and restart one shard's broker under the separate backend and API processes.
 */
class LocalClusterBrokerRestartIT {
    private static final int CHUNK = 100;

    @TempDir
    static Path workDir;

    private static EmbeddedAmqpBroker s0;
    private static EmbeddedAmqpBroker s1;
    private static RunningCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        s0 = EmbeddedAmqpBroker.start();
        s1 = EmbeddedAmqpBroker.start();
        cluster = RunningCluster.start(
                workDir,
                "--shards",
                "2",
                "--backends",
                "1",
                "--apis",
                "1",
                "--amqp",
                s0.uri().toString(),
                "--amqp",
                s1.uri().toString());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (s0 != null) {
            s0.close();
        }
        if (s1 != null) {
            s1.close();
        }
    }

    @Test
    void aShardsBrokerRestartsUnderAWriterAndTheOtherShardKeepsServing() throws Exception {
        // Given a writer on a topic of shard s1, and a topic of shard s0
        String onS1 = topicOn("s1");
        String onS0 = topicOn("s0");
        Set<String> acknowledged = new HashSet<>();
        try (SwitchboardClient client = SwitchboardClient.builder()
                        .urls(cluster.apiUrls())
                        .token(cluster.devToken())
                        .build();
                Publisher writer = client.publisher(PublisherOptions.of(onS1))) {
            acknowledged.addAll(publish(writer, onS1, 0, 5));

            // When s1's broker stops
            s1.stop();

            // Then shard s0 keeps serving: its writers commit, and the API node stays ready
            try (Publisher other = client.publisher(PublisherOptions.of(onS0))) {
                assertThat(publish(other, onS0, 0, 2)).hasSize(2 * CHUNK);
            }
            assertThat(new ThriftOverHttp(cluster.apiUrls().getFirst())
                            .get("/health/ready")
                            .statusCode())
                    .isEqualTo(200);

            // And when s1's broker is back (empty: its nodes declare their queues again), the writer carries on
            s1.restart();
            acknowledged.addAll(publish(writer, onS1, 5, 20));
        }

        // Then every acknowledged event of the s1 topic is there
        assertThat(acknowledged.size()).isEqualTo(20 * CHUNK);
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(readAll(onS1, acknowledged.size()));
        assertThat(missing).as("acknowledged but not read").isEmpty();
    }

    private static List<String> publish(Publisher publisher, String topic, int fromChunk, int toChunk) {
        List<String> payloads = IntStream.range(fromChunk * CHUNK, toChunk * CHUNK)
                .mapToObj(i -> topic + ":" + i)
                .toList();
        for (int from = 0; from < payloads.size(); from += CHUNK) {
            publisher.publish(
                    payloads.subList(from, from + CHUNK).stream().map(Event::of).toList());
        }
        return payloads;
    }

    private static Set<String> readAll(String topic, int atLeast) throws java.io.IOException {
        Set<String> read = new HashSet<>();
        try (SwitchboardClient client = SwitchboardClient.builder()
                        .urls(cluster.apiUrls())
                        .token(cluster.devToken())
                        .build();
                Subscriber subscriber = client.subscriber(SubscriberOptions.builder()
                        .topic(topic)
                        .start(StartPosition.earliest())
                        .build())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (read.size() < atLeast && System.nanoTime() < deadline) {
                Batch batch = subscriber.poll(500, Duration.ofSeconds(1));
                batch.events().forEach(event -> read.add(event.payloadAsString()));
                subscriber.ack(batch);
            }
        }
        return read;
    }

    private static String topicOn(String shard) {
        return IntStream.range(0, 100)
                .mapToObj(i -> "restart-" + i)
                .filter(topic -> RendezvousHashing.choose(topic, List.of("s0", "s1"))
                        .orElseThrow()
                        .equals(shard))
                .findFirst()
                .orElseThrow();
    }
}
