package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java SDK's streaming subscriber against a real standalone (embedded Kafka, the API's binary TCP port, security
 * on): everything read back in order, and nothing lost when the link drops mid-stream again and again.
 */
class StandaloneStreamingIT {
    @TempDir
    static Path dataDir;

    private static Standalone standalone;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(NodeConfig.builder()
                .value(ConfigKeys.DATA_DIR, dataDir, "test")
                .value(ConfigKeys.PORT, 0, "test")
                .value(ConfigKeys.TCP_PORT, 0, "test")
                .build());
        token = Files.readString(dataDir.resolve("dev-token")).strip();
    }

    @AfterAll
    static void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void aStreamingSubscriberReadsEverythingBackInOrder() throws Exception {
        // Given 1,000 events published over sb://
        URI tcp = standalone.tcpUri().orElseThrow();
        List<String> published = publish(tcp, "inorder", 1_000);
        long streamsBefore = standalone.apiCounters().streamsOpened();
        long batchesBefore = standalone.apiCounters().streamBatches();

        // When a subscriber over sb:// reads them in batches of at most 64
        List<ReceivedEvent> received;
        try (SwitchboardClient client = client(tcp);
                Subscriber subscriber = client.subscriber(
                        SubscriberOptions.builder().topic("inorder").build())) {
            received = readAll(subscriber, published.size(), 64, () -> {});
        }

        // Then every event arrives once, each partition in order, and the node pushed them on one stream
        assertExactlyOnceInOrder(received, published);
        assertThat(standalone.apiCounters().streamsOpened() - streamsBefore).isEqualTo(1);
        assertThat(standalone.apiCounters().streamBatches() - batchesBefore).isGreaterThanOrEqualTo(1_000 / 64);
    }

    @Test
    void cuttingTheLinkMidStreamLosesNothing() throws Exception {
        // Given 2,000 events, and a subscriber reaching the TCP port through a proxy that can cut the link
        URI tcp = standalone.tcpUri().orElseThrow();
        List<String> published = publish(tcp, "cut", 2_000);
        long streamsBefore = standalone.apiCounters().streamsOpened();
        List<ReceivedEvent> received;
        try (CuttingProxy proxy = new CuttingProxy(tcp.getPort());
                SwitchboardClient client = client(URI.create("sb://127.0.0.1:" + proxy.port()));
                Subscriber subscriber = client.subscriber(
                        SubscriberOptions.builder().topic("cut").streamWindow(4).build())) {
            // When the link is cut after every 7th batch (batches already pushed and not yet polled are lost with it)
            int[] batches = {0};
            received = readAll(subscriber, published.size(), 20, () -> {
                if (++batches[0] % 7 == 0) {
                    proxy.cut();
                }
            });

            // Then every event still arrives exactly once, each partition in order, each cut costing a new stream
            assertThat(proxy.cuts()).isGreaterThanOrEqualTo(10);
            assertExactlyOnceInOrder(received, published);
            assertThat(standalone.apiCounters().streamsOpened() - streamsBefore).isGreaterThan(proxy.cuts());
            assertThat(proxy.accepted()).isGreaterThan(proxy.cuts());
        }
    }

    private static SwitchboardClient client(URI url) {
        return SwitchboardClient.builder().url(url).token(token).build();
    }

    private static List<String> publish(URI url, String topic, int count) {
        List<String> payloads =
                IntStream.range(0, count).mapToObj(i -> topic + "-" + i).toList();
        try (SwitchboardClient client = client(url);
                Publisher publisher = client.publisher(PublisherOptions.of(topic))) {
            for (int from = 0; from < count; from += 100) {
                publisher.publish(payloads.subList(from, Math.min(count, from + 100)).stream()
                        .map(Event::of)
                        .toList());
            }
        }
        return payloads;
    }

    /** Polls and acknowledges until {@code count} events came or 20 polls in a row came back empty. */
    private static List<ReceivedEvent> readAll(Subscriber subscriber, int count, int maxEvents, Runnable afterBatch) {
        List<ReceivedEvent> received = new ArrayList<>();
        int emptyPolls = 0;
        while (received.size() < count && emptyPolls < 20) {
            Batch batch = subscriber.poll(maxEvents, Duration.ofSeconds(1));
            emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
            assertThat(batch.size()).isLessThanOrEqualTo(maxEvents);
            received.addAll(batch.events());
            subscriber.ack(batch);
            if (!batch.isEmpty()) {
                afterBatch.run();
            }
        }
        return received;
    }

    /** Every published payload once, and within each partition offsets strictly rising. */
    private static void assertExactlyOnceInOrder(List<ReceivedEvent> received, List<String> published) {
        assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactlyInAnyOrderElementsOf(published);
        Map<Integer, List<Long>> offsets = received.stream()
                .collect(Collectors.groupingBy(
                        ReceivedEvent::partition, Collectors.mapping(ReceivedEvent::offset, Collectors.toList())));
        offsets.forEach((partition, inPartition) -> assertThat(inPartition)
                .as("offsets of partition %d", partition)
                .isSorted()
                .doesNotHaveDuplicates());
    }
}
