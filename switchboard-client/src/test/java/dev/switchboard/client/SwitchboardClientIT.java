package dev.switchboard.client;

import static dev.switchboard.client.HttpHarness.TOPIC;
import static dev.switchboard.client.HttpHarness.fastRetries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.fake.FakeNode;
import dev.switchboard.client.fake.Fault;
import dev.switchboard.protocol.ErrorCode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK over real HTTP: API nodes, the local switch, and a fake backend node that can fail. */
class SwitchboardClientIT {

    static List<Event> events(String prefix, int count, int padding) {
        String pad = "x".repeat(padding);
        return IntStream.range(0, count)
                .mapToObj(i -> Event.of(prefix + i + pad))
                .toList();
    }

    static List<String> payloads(String prefix, int count, int padding) {
        String pad = "x".repeat(padding);
        return IntStream.range(0, count).mapToObj(i -> prefix + i + pad).toList();
    }

    static List<ReceivedEvent> readAll(Subscriber subscriber, int count) {
        List<ReceivedEvent> received = new ArrayList<>();
        int emptyPolls = 0;
        while (received.size() < count && emptyPolls < 20) {
            Batch batch = subscriber.poll(30, Duration.ofMillis(100));
            emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
            received.addAll(batch.events());
            subscriber.ack(batch);
        }
        return received;
    }

    @Test
    void publishedEventsAreReadBackInOrder() {
        // given events big enough that chunks (20 events of 4 KiB) are sent compressed (LZ4 to these nodes)
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1);
                SwitchboardClient client = harness.client(RetryPolicy.defaults());
                Publisher publisher = client.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
            // when publishing them, blocking and asynchronously, and reading them back
            publisher.publish(events("a", 70, 4096));
            publisher.publishAsync(events("b", 30, 10)).join();
            List<ReceivedEvent> received = readAll(subscriber, 100);

            // then they arrive complete, once each, in order
            List<String> expected = new ArrayList<>(payloads("a", 70, 4096));
            expected.addAll(payloads("b", 30, 10));
            assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(expected);
            assertThat(received).extracting(event -> event.id().orElseThrow()).doesNotHaveDuplicates();
        }
    }

    @Test
    void compressibleEventsTravelAsLz4BothWaysOverHttp() {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1);
                SwitchboardClient client = harness.client(RetryPolicy.defaults());
                Publisher publisher = client.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
            // when publishing compressible events in chunks over the LZ4 threshold and reading them back
            publisher.publish(events("j", 100, 1000));
            List<ReceivedEvent> received = readAll(subscriber, 100);

            // then they arrive intact, and the node received compressed chunks and sent compressed answers
            assertThat(received)
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("j", 100, 1000));
            assertThat(harness.apis.getFirst().counters().lz4Requests()).isPositive();
            assertThat(harness.apis.getFirst().counters().lz4Replies()).isPositive();
        }
    }

    @Test
    void aSubscriberResumesFromItsCursorFileWithoutLossOrDuplicates(@TempDir Path dir) {
        Path cursorFile = dir.resolve("state/orders.cursor");
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1);
                SwitchboardClient client = harness.client(RetryPolicy.defaults())) {
            try (Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("e", 50, 0));
            }
            // given a subscriber that acknowledged 20 events, then stopped with a batch unacknowledged
            List<ReceivedEvent> seen = new ArrayList<>();
            try (Subscriber first = client.subscriber(options(cursorFile))) {
                while (seen.size() < 20) {
                    Batch batch = first.poll(10, Duration.ofSeconds(2));
                    seen.addAll(batch.events());
                    first.ack(batch);
                }
                assertThat(first.poll(10, Duration.ofSeconds(2)).isEmpty()).isFalse();
            }

            // when a new subscriber (a new client, as after a restart) starts from the cursor file
            try (SwitchboardClient restarted = harness.client(RetryPolicy.defaults());
                    Subscriber second = restarted.subscriber(options(cursorFile))) {
                seen.addAll(readAll(second, 30));
            }

            // then every event was seen exactly once
            assertThat(seen).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(payloads("e", 50, 0));
        }
    }

    private static SubscriberOptions options(Path cursorFile) {
        return SubscriberOptions.builder()
                .topic(TOPIC)
                .cursorStore(CursorStores.file(cursorFile))
                .maxEvents(10)
                .build();
    }

    @Test
    void aFlakyBackendLosesNothingAndStagesNoChunkTwice() {
        // given a backend that refuses (UNAVAILABLE, BUSY) or loses the answer of 25% of the session calls
        try (HttpHarness harness = new HttpHarness(Fault.Plan.random(5, 0.25), 1);
                SwitchboardClient client = harness.client(fastRetries(Duration.ofMinutes(1)));
                Publisher publisher = client.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
            // when publishing 150 events in three publishes and reading them back
            List<CompletableFuture<PublishResult>> futures = List.of(
                    publisher.publishAsync(events("a", 50, 0)),
                    publisher.publishAsync(events("b", 50, 0)),
                    publisher.publishAsync(events("c", 50, 0)));
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            List<ReceivedEvent> received = readAll(subscriber, 150);

            // then each event is stored and read once, in order, and each chunk was staged once
            List<String> expected = new ArrayList<>(payloads("a", 50, 0));
            expected.addAll(payloads("b", 50, 0));
            expected.addAll(payloads("c", 50, 0));
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
            assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(expected);
            assertThat(harness.kafka.stagings())
                    .hasSize(9)
                    .allSatisfy((chunk, times) ->
                            assertThat(times).as("stagings of chunk %s", chunk).isEqualTo(1));
        }
    }

    @Test
    void aLostSessionIsReplacedMidStreamWithoutLoss() {
        // given a node that stages chunks but cannot commit them, and a reader in the middle of the topic
        Fault.Plan noCommits = request -> request.isSetCommit() ? Fault.REFUSE_UNAVAILABLE : Fault.NONE;
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1);
                SwitchboardClient client = harness.client(fastRetries(Duration.ofMinutes(5)));
                Subscriber subscriber = client.subscriber(
                        SubscriberOptions.builder().topic(TOPIC).maxEvents(10).build())) {
            try (Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("old", 20, 0));
            }
            Batch acknowledged = subscriber.poll(10, Duration.ofSeconds(2));
            subscriber.ack(acknowledged);
            Batch unacknowledged = subscriber.poll(10, Duration.ofSeconds(2));
            harness.replaceNode(noCommits);
            Publisher publisher = client.publisher(PublisherOptions.of(TOPIC));
            String writer = publisher.writerId();
            CompletableFuture<PublishResult> published = publisher.publishAsync(events("new", 50, 0));
            await().until(() -> harness.kafka
                    .stagings()
                    .keySet()
                    .containsAll(List.of(writer + ":1", writer + ":2", writer + ":3")));

            // when that node dies and a healthy one takes over
            harness.replaceNode(Fault.Plan.none());

            // then the writer resends its uncommitted chunks with the same numbers, once committed each
            published.join();
            assertThat(harness.kafka.stagings()).containsEntry(writer + ":1", 2).containsEntry(writer + ":3", 2);
            publisher.close();
            // and the reader gets its unacknowledged batch again, then everything after it
            subscriber.ack(unacknowledged);
            List<ReceivedEvent> rest = readAll(subscriber, 60);
            List<String> expected = new ArrayList<>(payloads("old", 20, 0).subList(10, 20));
            expected.addAll(payloads("new", 50, 0));
            assertThat(rest).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(expected);
            assertThat(rest.subList(10, 60))
                    .extracting(event -> event.id().orElseThrow())
                    .startsWith(writer + ":1:0")
                    .endsWith(writer + ":3:9");
        }
    }

    @Test
    void anEventTheServerRefusesSurfacesWithTheServersMessage() {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1);
                SwitchboardClient client = harness.client(fastRetries(Duration.ofSeconds(5)))) {
            harness.replaceNode(new FakeNode(harness.kafka, "strict", FakeNode.testLimits(), Fault.Plan.none(), 1000));
            try (Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                assertThatThrownBy(() -> publisher.publish(List.of(Event.of(new byte[2000]))))
                        .isInstanceOfSatisfying(
                                SwitchboardClientException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                        .hasMessageContaining("event 0 of chunk 1 has 2000 bytes; max-event-bytes is 1000");
                publisher.publish(List.of(Event.of("fits")));
            }
            assertThat(harness.kafka.payloads(TOPIC)).containsExactly("fits");
            assertThatThrownBy(() -> client.subscriber(SubscriberOptions.of("missing")))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND))
                    .hasMessageContaining("missing");
        }
    }

    @Test
    void theClientFailsOverToTheNextUrl() throws Exception {
        // given two API nodes, the first of which is down, and a URL nobody listens on
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 2)) {
            URI nobody = URI.create("http://127.0.0.1:" + freePort());
            List<URI> urls = List.of(
                    nobody, harness.apis.get(0).uri(), harness.apis.get(1).uri());
            try (SwitchboardClient client = harness.client(fastRetries(Duration.ofSeconds(30)), urls);
                    Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("before", 10, 0));

                // when the API node in use stops
                harness.apis.get(0).close();

                // then the next one carries on the same sessions
                publisher.publish(events("after", 10, 0));
                try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
                    List<String> expected = new ArrayList<>(payloads("before", 10, 0));
                    expected.addAll(payloads("after", 10, 0));
                    assertThat(readAll(subscriber, 20))
                            .extracting(ReceivedEvent::payloadAsString)
                            .containsExactlyElementsOf(expected);
                }
            }
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
