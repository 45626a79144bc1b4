package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backend node's read buffers are bounded by bytes (per session, {@code prefetch-bytes}; per node,
 * {@code max-prefetch-bytes}), and one principal's requests in progress by {@code max-requests-per-principal};
 * against a real Kafka broker.
 */
class NodeReadLimitsIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "node-read-limits-it-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final int PREFETCH_BYTES = 64 * 1024;
    /**
     * A session polls only while its buffer has room for a whole fetch (half of prefetch-bytes), and a fetch
     * returns at most that, or one record batch when the first is larger (the producer's batches are at most
     * 256 KiB): so the buffer holds at most prefetch-bytes plus one batch, with room for record overhead.
     */
    private static final long BUFFER_BOUND = PREFETCH_BYTES + 256 * 1024 + 64 * 1024;

    private static BackendNode start(NodeLimits nodeLimits, long tailCacheBytes) {
        return BackendNode.start(
                BackendConfig.builder("limits", KAFKA.bootstrapServers())
                        .limits(SessionLimits.builder()
                                .prefetchBytes(PREFETCH_BYTES)
                                .build())
                        .nodeLimits(nodeLimits)
                        .tailCacheBytes(tailCacheBytes)
                        .build(),
                SECRET,
                Clock.systemUTC());
    }

    private static String topicWith(BackendNode node, int events, int eventBytes) {
        String topic = "read-limits-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1);
        Calls calls = new Calls(node);
        String writer = calls.writer(topic, "w").getSessionId();
        long seq = 0;
        for (int from = 0; from < events; from += 20) {
            List<Event> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(events, from + 20); i++) {
                byte[] payload = new byte[eventBytes];
                payload[0] = (byte) i;
                chunk.add(new Event().setPayload(ByteBuffer.wrap(payload)));
            }
            calls.write(writer, ++seq, chunk);
            calls.commit(writer, seq);
        }
        calls.dispose(writer);
        return topic;
    }

    @Test
    void aReaderThatTakesOneEventAtATimeReadsAheadByBytesNotByEvents() {
        // Given 300 events of 4 KiB (1.2 MiB): within prefetch-events (2,000), far beyond prefetch-bytes (64 KiB)
        try (BackendNode node = start(NodeLimits.defaults(), 0)) {
            Calls calls = new Calls(node);
            String topic = topicWith(node, 300, 4096);
            String reader = calls.allocate(
                            new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.EARLIEST))
                    .getSessionId();

            // When it reads one event per read, twenty times
            for (long seq = 1; seq <= 20; seq++) {
                assertThat(calls.read(reader, seq, 1, 5000).getEvents()).hasSize(1);
                calls.ack(reader, seq);

                // Then the node's read buffers never hold more than prefetch-bytes and one fetch
                assertThat(node.counters().prefetchBytes())
                        .as("read buffers after read %d", seq)
                        .isPositive()
                        .isLessThanOrEqualTo(BUFFER_BOUND);
            }
            // and every other event still arrives, and disposing gives the buffers back
            int read = 20;
            for (long seq = 21; read < 300; seq++) {
                int events = calls.read(reader, seq, 1000, 5000).getEventsSize();
                assertThat(events).as("events of read %d", seq).isPositive();
                read += events;
                calls.ack(reader, seq);
                assertThat(node.counters().prefetchBytes()).isLessThanOrEqualTo(BUFFER_BOUND);
            }
            assertThat(read).isEqualTo(300);
            calls.dispose(reader);
            assertThat(node.counters().prefetchBytes()).isZero();
        }
    }

    @Test
    void aReadWithNothingBufferedAndNoRoomInTheNodesReadBuffersIsBusy() {
        // Given a node whose read buffers may hold only one byte
        try (BackendNode node = start(NodeLimits.defaults().withMaxPrefetchBytes(1), 8 << 20)) {
            Calls calls = new Calls(node);
            String topic = topicWith(node, 10, 100);
            String reader = calls.allocate(
                            new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.EARLIEST))
                    .getSessionId();

            // When it reads
            SwitchResponse answer = calls.call(Calls.readRequest(reader, 1, 10, 1000));

            // Then BUSY with a retry-after naming the limit, counted; nothing is held
            SwitchboardError busy = error(answer, ErrorCode.BUSY);
            assertThat(busy.getRetryAfterMs()).isPositive();
            assertThat(busy.getMessage()).contains("max-prefetch-bytes");
            assertThat(node.counters().readsRefusedPrefetchBytes()).isEqualTo(1);
            assertThat(node.counters().prefetchBytes()).isZero();
        }
    }

    @Test
    void manyReadersTakingOneEventEachFillTheNodesReadBuffersAndTheRestAreBusy() {
        // Given a node with 8 MiB of read buffers (sessions with the default prefetch-bytes) and 48 events of 256 KiB
        try (BackendNode node = BackendNode.start(
                BackendConfig.builder("limits", KAFKA.bootstrapServers())
                        .nodeLimits(NodeLimits.defaults().withMaxPrefetchBytes(8 << 20))
                        .tailCacheBytes(0)
                        .build(),
                SECRET,
                Clock.systemUTC())) {
            Calls calls = new Calls(node);
            String topic = topicWith(node, 48, 256 << 10);
            int busy = 0;
            // When 12 readers each take one event: each holds its consumer's fetch (1 MiB) and its read-ahead
            for (int i = 0; i < 12; i++) {
                String reader = calls.allocate(
                                new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.EARLIEST))
                        .getSessionId();
                SwitchResponse answer = calls.call(Calls.readRequest(reader, 1, 1, 5000));
                if (answer.isSetError()) {
                    error(answer, ErrorCode.BUSY);
                    busy++;
                }
                assertThat(node.counters().prefetchBytes()).isLessThanOrEqualTo(8 << 20);
            }
            // Then the later ones are BUSY
            assertThat(busy).isPositive();
            assertThat(node.counters().readsRefusedPrefetchBytes()).isEqualTo(busy);
        }
    }

    @Test
    void onePrincipalsReadersFillOnlyItsShareOfTheReadBuffersAndAnotherPrincipalStillReads() {
        // Given a node with 32 MiB of read buffers, 4 MiB of them at most for one principal, and 48 events of 256 KiB
        try (BackendNode node = BackendNode.start(
                BackendConfig.builder("limits", KAFKA.bootstrapServers())
                        .nodeLimits(NodeLimits.defaults()
                                .withMaxPrefetchBytes(32 << 20)
                                .withMaxPrefetchBytesPerPrincipal(4 << 20))
                        .tailCacheBytes(0)
                        .build(),
                SECRET,
                Clock.systemUTC())) {
            Calls calls = new Calls(node);
            String topic = topicWith(node, 48, 256 << 10);
            int busy = 0;
            // When 8 of mallory's readers each take one event: each holds its consumer's fetch and its read-ahead
            for (int i = 0; i < 8; i++) {
                String reader = calls.allocate(new AllocateRequest(topic, SessionMode.READ)
                                .setStartFrom(StartFrom.EARLIEST)
                                .setPrincipal("mallory"))
                        .getSessionId();
                SwitchResponse answer = calls.call(Calls.readRequest(reader, 1, 1, 5000));
                if (answer.isSetError()) {
                    SwitchboardError error = error(answer, ErrorCode.BUSY);
                    assertThat(error.getMessage()).contains("mallory").contains("max-prefetch-bytes-per-principal");
                    busy++;
                }
            }
            // Then the later ones are BUSY, though the node's read buffers have room
            assertThat(busy).isPositive();
            assertThat(node.counters().readsRefusedPrincipalPrefetchBytes()).isEqualTo(busy);
            assertThat(node.counters().readsRefusedPrefetchBytes()).isZero();
            assertThat(node.counters().prefetchBytes()).isLessThan(32 << 20);

            // And alice, another principal on the same node, still reads
            String alice = calls.allocate(new AllocateRequest(topic, SessionMode.READ)
                            .setStartFrom(StartFrom.EARLIEST)
                            .setPrincipal("alice"))
                    .getSessionId();
            assertThat(calls.read(alice, 1, 1, 5000).getEvents()).hasSize(1);
        }
    }

    @Test
    void onePrincipalsLongPollsCannotTakeMoreThanItsShareOfTheNode() {
        // Given a node that lets a principal have two requests in progress, and three readers of mallory's
        try (BackendNode node = start(NodeLimits.defaults().withMaxRequestsPerPrincipal(2), 0)) {
            Calls calls = new Calls(node);
            String topic = topicWith(node, 1, 10);
            List<String> mallory = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                mallory.add(calls.allocate(new AllocateRequest(topic, SessionMode.READ)
                                .setStartFrom(StartFrom.LATEST)
                                .setPrincipal("mallory"))
                        .getSessionId());
            }
            String alice = calls.allocate(new AllocateRequest(topic, SessionMode.READ)
                            .setStartFrom(StartFrom.LATEST)
                            .setPrincipal("alice"))
                    .getSessionId();

            // When two of mallory's readers long-poll an idle topic
            CompletableFuture<SwitchResponse> first = node.handle(Calls.readRequest(mallory.get(0), 1, 10, 30_000));
            CompletableFuture<SwitchResponse> second = node.handle(Calls.readRequest(mallory.get(1), 1, 10, 30_000));

            // Then mallory's third request is BUSY at once, naming the principal and the limit
            SwitchboardError busy = error(calls.call(Calls.readRequest(mallory.get(2), 1, 10, 0)), ErrorCode.BUSY);
            assertThat(busy.getMessage()).contains("mallory").contains("max-requests-per-principal");
            assertThat(busy.getRetryAfterMs()).isPositive();
            assertThat(node.counters().requestsRefusedPrincipalBusy()).isEqualTo(1);
            // alice is served meanwhile
            assertThat(calls.read(alice, 1, 10, 0).getEvents()).isEmpty();
            // and once one of mallory's polls ends, mallory is served again
            calls.dispose(mallory.get(0));
            error(Calls.await(first), ErrorCode.SESSION_LOST);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(calls.call(Calls.readRequest(mallory.get(2), 1, 10, 0))
                                    .isSetRead())
                            .isTrue());
            calls.dispose(mallory.get(1));
            error(Calls.await(second), ErrorCode.SESSION_LOST);
        }
    }
}
