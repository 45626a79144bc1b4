package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.client.Batch;
import dev.switchboard.client.CursorStores;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.testkit.ThriftOverHttp;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end in one JVM: the SDK and raw Thrift over real HTTP to a standalone (embedded KRaft Kafka, backend
 * node, in-process switch, API node).
 */
class StandaloneIT {
    @TempDir
    static Path dataDir;

    private static Standalone standalone;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(dataDir, 0);
    }

    @AfterAll
    static void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    private static SwitchboardClient client() {
        return SwitchboardClient.builder()
                .url(standalone.uri())
                .token(devToken())
                .build();
    }

    /** The all-scopes token standalone wrote to its data dir. */
    private static String devToken() {
        try {
            return Files.readString(dataDir.resolve("dev-token")).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A raw Thrift client that presents the dev token and signs session calls, as the SDK does. */
    private static ThriftOverHttp thrift() {
        return ThriftOverHttp.authorised(standalone.uri(), devToken());
    }

    @Test
    void eventsComeBackOnceEachInOrderPerPartitionWithKeysAndHeaders() {
        // given 3 keys x 300 events, published in chunks of 50
        String topic = "orders";
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            for (String key : List.of("alpha", "beta", "gamma")) {
                events.add(Event.builder()
                        .key(key)
                        .payload(key + "-" + i)
                        .header("origin", "it")
                        .build());
            }
        }
        try (SwitchboardClient client = client()) {
            try (Publisher publisher = client.publisher(
                    PublisherOptions.builder().topic(topic).chunkEvents(50).build())) {
                publisher.publish(events);
            }

            // when reading the topic from the start
            List<ReceivedEvent> received;
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(topic))) {
                received = readAtLeast(subscriber, events.size(), Integer.MAX_VALUE);
            }

            // then every event arrives once, with its key and header, and each key's events keep their order
            assertThat(received).hasSize(events.size());
            assertThat(received).extracting(e -> e.id().orElseThrow()).doesNotHaveDuplicates();
            assertThat(received).allSatisfy(e -> assertThat(e.headers()).containsKey("origin"));
            Map<String, List<Integer>> byKey = new LinkedHashMap<>();
            Map<String, Integer> partitionOfKey = new LinkedHashMap<>();
            for (ReceivedEvent e : received) {
                String key = new String(e.key().orElseThrow(), StandardCharsets.UTF_8);
                String payload = e.payloadAsString();
                assertThat(payload).startsWith(key + "-");
                byKey.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(Integer.parseInt(payload.substring(key.length() + 1)));
                assertThat(partitionOfKey.computeIfAbsent(key, k -> e.partition()))
                        .as("one partition per key")
                        .isEqualTo(e.partition());
            }
            List<Integer> inOrder = IntStream.range(0, 300).boxed().toList();
            assertThat(byKey)
                    .hasSize(3)
                    .allSatisfy((key, seen) -> assertThat(seen).as(key).containsExactlyElementsOf(inOrder));
        }
    }

    @Test
    void aSubscriberResumesFromItsCursorFile(@TempDir Path state) {
        // given 100 events, and a subscriber that read and acknowledged 40 of them into a cursor file
        String topic = "resume";
        Path cursorFile = state.resolve("resume.cursor");
        List<String> payloads =
                IntStream.range(0, 100).mapToObj(i -> "event-" + i).toList();
        try (SwitchboardClient client = client()) {
            try (Publisher publisher = client.publisher(PublisherOptions.of(topic))) {
                publisher.publish(payloads.stream().map(Event::of).toList());
            }
            SubscriberOptions options = SubscriberOptions.builder()
                    .topic(topic)
                    .cursorStore(CursorStores.file(cursorFile))
                    .build();
            List<ReceivedEvent> first;
            try (Subscriber subscriber = client.subscriber(options)) {
                first = readAtLeast(subscriber, 40, 40);
            }

            // when a new subscriber starts from the same file
            List<ReceivedEvent> second;
            try (Subscriber subscriber = client.subscriber(options)) {
                second = readAtLeast(subscriber, 60, 60);
            }

            // then together they saw every event exactly once
            List<String> all = new ArrayList<>();
            first.forEach(e -> all.add(e.payloadAsString()));
            second.forEach(e -> all.add(e.payloadAsString()));
            assertThat(first).hasSize(40);
            assertThat(all).containsExactlyInAnyOrderElementsOf(payloads);
        }
    }

    @Test
    void anUnknownSessionIsLost() throws Exception {
        // a caller that knows the cluster secret can sign for any session id: the id itself is then unknown
        String unknown = "s0.n1.doesnotexist";
        ThriftOverHttp thrift = thrift().withMacKey(
                        unknown, RequestMac.sessionKey(Files.readAllBytes(dataDir.resolve("cluster-secret")), unknown));

        assertThatThrownBy(() -> thrift.read(new ReadRequest(unknown, 1)))
                .isInstanceOfSatisfying(SwitchboardError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.SESSION_LOST);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    @Test
    void aWrongSequenceNamesTheExpectedOne() throws Exception {
        ThriftOverHttp thrift = thrift();
        AllocateResponse writer = thrift.allocate(new AllocateRequest("sequences", SessionMode.WRITE));
        AllocateResponse reader =
                thrift.allocate(new AllocateRequest("sequences", SessionMode.READ).setStartFrom(StartFrom.EARLIEST));

        assertThatThrownBy(() -> thrift.read(new ReadRequest(reader.getSessionId(), 7)))
                .isInstanceOfSatisfying(SwitchboardError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.OUT_OF_SEQUENCE);
                    assertThat(e.getExpectedSeq()).isEqualTo(1);
                });
        long next = writer.getLastCommittedSeq() + 1;
        var event = new dev.switchboard.protocol.thrift.Event(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> thrift.write(new WriteRequest(writer.getSessionId(), next + 5, List.of(event))))
                .isInstanceOfSatisfying(SwitchboardError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.OUT_OF_SEQUENCE);
                    assertThat(e.getExpectedSeq()).isEqualTo(next);
                });
    }

    @Test
    void aTamperedCursorIsRefused() throws Exception {
        ThriftOverHttp thrift = thrift();
        thrift.allocate(new AllocateRequest("tampered", SessionMode.WRITE)); // a writer creates the topic
        String cursor = thrift.allocate(
                        new AllocateRequest("tampered", SessionMode.READ).setStartFrom(StartFrom.EARLIEST))
                .getCursor();
        int middle = cursor.length() / 2;
        char flipped = cursor.charAt(middle) == 'A' ? 'B' : 'A';
        String tampered = cursor.substring(0, middle) + flipped + cursor.substring(middle + 1);

        assertThatThrownBy(() -> thrift.allocate(new AllocateRequest("tampered", SessionMode.READ).setCursor(tampered)))
                .isInstanceOfSatisfying(SwitchboardError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).containsIgnoringCase("cursor");
                });
        assertThatThrownBy(
                        () -> thrift.allocate(new AllocateRequest("other-topic", SessionMode.READ).setCursor(cursor)))
                .as("a genuine cursor for another topic")
                .isInstanceOfSatisfying(
                        SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void aBodyThatIsNotThriftGetsA400AndTheServerStaysHealthy() {
        ThriftOverHttp thrift = thrift();

        HttpResponse<byte[]> response = thrift.post("hello, switchboard".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("Thrift");
        assertThat(thrift.get("/health/ready").statusCode()).isEqualTo(200);
    }

    /** Polls and acknowledges until {@code count} events were read, never asking for more than {@code limit}. */
    private static List<ReceivedEvent> readAtLeast(Subscriber subscriber, int count, int limit) {
        List<ReceivedEvent> received = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            int ask = Math.min(500, limit - received.size());
            Batch batch = subscriber.poll(ask, Duration.ofSeconds(1));
            received.addAll(batch.events());
            subscriber.ack(batch);
        }
        return received;
    }
}
