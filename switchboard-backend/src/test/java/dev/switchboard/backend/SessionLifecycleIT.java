package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.internal.SessionRegistry;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Session lifecycle on a real backend node: unknown ids, expiry, dispose, drain and close. */
class SessionLifecycleIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "lifecycle-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final MutableClock clock = new MutableClock();
    private BackendNode node;
    private Calls calls;
    private String topic;

    @BeforeEach
    void startNode() {
        SessionLimits limits = SessionLimits.builder()
                .sessionTtl(Duration.ofMinutes(5))
                .maxWait(Duration.ofSeconds(4))
                .drainTimeout(Duration.ofSeconds(5))
                .build();
        node = BackendNode.start(
                BackendConfig.builder("life", KAFKA.bootstrapServers())
                        .limits(limits)
                        .build(),
                SECRET,
                clock);
        calls = new Calls(node);
        topic = "lifecycle-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 2);
    }

    @AfterEach
    void closeNode() {
        node.close();
    }

    @Test
    void requestsForUnknownSessionsAreLost() {
        assertThat(error(calls.call(Calls.readRequest("s0.life.doesnotexist", 1, 10, 0)), ErrorCode.SESSION_LOST)
                        .getMessage())
                .contains("unknown");
        error(calls.call(Calls.readRequest("s0.othernode.abc", 1, 10, 0)), ErrorCode.SESSION_LOST);
        error(calls.call(Calls.readRequest("s1.life.abc", 1, 10, 0)), ErrorCode.SESSION_LOST);
        error(calls.call(Calls.readRequest("not a session id", 1, 10, 0)), ErrorCode.INVALID_REQUEST);
        error(calls.call(new SwitchRequest()), ErrorCode.INVALID_REQUEST);
    }

    @Test
    void aTamperedCursorIsInvalid() {
        // Given
        String cursor = calls.reader(topic).getCursor();
        String tampered = flip(cursor, 0);
        String otherwise = flip(cursor, cursor.length() / 2);

        // When
        SwitchResponse first =
                calls.call(SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.READ).setCursor(tampered)));
        SwitchResponse second =
                calls.call(SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.READ).setCursor(otherwise)));

        // Then
        assertThat(error(first, ErrorCode.INVALID_REQUEST).getMessage()).contains("cursor");
        assertThat(error(second, ErrorCode.INVALID_REQUEST).getMessage()).contains("cursor");
        assertThat(node.sessionCount().getAsInt()).isEqualTo(1);
    }

    @Test
    void idleSessionsExpireAfterTheTtl() {
        // Given
        String reader = calls.reader(topic).getSessionId();
        String writer = calls.writer(topic, "expiring").getSessionId();
        clock.advance(Duration.ofMinutes(4));
        calls.write(writer, 1, events("x", 1)); // activity keeps the writer alive

        // When
        clock.advance(Duration.ofMinutes(2));

        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> node.sessionCount().getAsInt() == 1);
        error(calls.call(Calls.readRequest(reader, 1, 10, 0)), ErrorCode.SESSION_LOST);
        assertThat(calls.commit(writer, 1)).isEqualTo(1);

        clock.advance(Duration.ofMinutes(6));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.sessionCount().getAsInt() == 0);
    }

    @Test
    void anIdleReaderGivesItsConsumerBackAndGoesOnWhereItWas() throws Exception {
        // Given a reader that read and acknowledged part of a topic, and holds an unacknowledged batch
        String writer = calls.writer(topic, "parking").getSessionId();
        calls.write(writer, 1, events("e", 10));
        assertThat(calls.commit(writer, 1)).isEqualTo(1);
        String reader = calls.reader(topic).getSessionId();
        List<String> seen = new ArrayList<>(Calls.payloads(calls.read(reader, 1, 3, 5000)));
        calls.ack(reader, 1);
        List<String> unacknowledged = Calls.payloads(calls.read(reader, 2, 3, 5000));
        assertThat(readerConsumers()).isNotEmpty();

        // When it stays idle past the park time
        clock.advance(SessionRegistry.PARK_AFTER.plusSeconds(1));

        // Then its consumer is closed, the unacknowledged batch comes again, and the rest follows without a gap
        await().atMost(Duration.ofSeconds(10)).until(() -> readerConsumers().isEmpty());
        assertThat(Calls.payloads(calls.read(reader, 2, 3, 5000))).isEqualTo(unacknowledged);
        seen.addAll(unacknowledged);
        calls.ack(reader, 2);
        for (long seq = 3; seen.size() < 10 && seq < 20; seq++) {
            seen.addAll(Calls.payloads(calls.read(reader, seq, 100, 5000)));
            calls.ack(reader, seq);
        }
        assertThat(seen)
                .containsExactlyInAnyOrderElementsOf(events("e", 10).stream()
                        .map(e -> Calls.text(e.bufferForPayload()))
                        .toList());
    }

    /** The read sessions' Kafka consumers that are open, by their metrics MBeans. */
    private static java.util.Set<javax.management.ObjectName> readerConsumers() throws Exception {
        return java.lang.management.ManagementFactory.getPlatformMBeanServer()
                .queryNames(
                        new javax.management.ObjectName("kafka.consumer:type=consumer-metrics,client-id=*-reader-*"),
                        null);
    }

    @Test
    void disposingTwiceIsFineAndTheSessionIsGone() {
        // Given
        String reader = calls.reader(topic).getSessionId();

        // When
        SwitchResponse first = calls.dispose(reader);
        SwitchResponse second = calls.dispose(reader);

        // Then
        assertThat(first.isSetDispose()).isTrue();
        assertThat(second.isSetDispose()).isTrue();
        assertThat(node.sessionCount().getAsInt()).isZero();
        error(calls.call(Calls.readRequest(reader, 1, 10, 0)), ErrorCode.SESSION_LOST);
    }

    @Test
    void aSessionOnlyTakesItsOwnKindOfRequest() {
        String reader = calls.reader(topic).getSessionId();
        String writer = calls.writer(topic, "kinds").getSessionId();

        error(calls.call(Calls.writeRequest(reader, 1, events("x", 1))), ErrorCode.INVALID_REQUEST);
        error(calls.call(Calls.readRequest(writer, 1, 10, 0)), ErrorCode.INVALID_REQUEST);
    }

    @Test
    void aLongPollBlocksOnlyItsOwnSession() {
        // Given one reader long-polling an empty topic, by a clock that stands still (its poll never times out)
        String polling = calls.reader(topic).getSessionId();
        clock.freeze();
        CompletableFuture<SwitchResponse> poll = node.handle(Calls.readRequest(polling, 1, 10, 20_000));

        // When
        String writer = calls.writer(topic, "other").getSessionId();
        calls.write(writer, 1, events("x", 1));
        calls.commit(writer, 1);

        // Then the writer was answered while the poll waited, and the poll got the event
        assertThat(Calls.await(poll).getRead().getEvents()).hasSize(1);
    }

    @Test
    void aRequestStillQueuedBehindItsSessionWhenItsDeadlinePassesIsDroppedUnrun() {
        // Given a reader long-polling an empty topic (4 s, the node's max-wait)
        String reader = calls.reader(topic).getSessionId();
        CompletableFuture<SwitchResponse> poll = node.handle(Calls.readRequest(reader, 1, 10, 4_000));

        // When a request of the same session, whose sender stops waiting in a second, is queued behind the poll, and
        // the poll ends only after that (the node's clock moves five seconds on)
        CompletableFuture<SwitchResponse> late =
                node.handle(Calls.readRequest(reader, 1, 10, 0), clock.millis() + 1_000);
        clock.advance(Duration.ofSeconds(5));

        // Then the poll is answered, the late request is dropped unrun (UNAVAILABLE, counted), and the session
        // serves the same request sent again
        assertThat(Calls.await(poll).getRead().getEvents()).isEmpty();
        assertThat(error(Calls.await(late), ErrorCode.UNAVAILABLE).getMessage())
                .contains("deadline passed while it waited behind the session's earlier requests");
        assertThat(node.counters().requestsDroppedExpired()).isEqualTo(1);
        assertThat(calls.read(reader, 1, 10, 0).getEvents()).isEmpty();
    }

    @Test
    void drainingRefusesNewWorkButLetsCommitsAndAcksFinish() {
        // Given a reader with a delivered batch, a writer, and a reader long-polling
        String writer = calls.writer(topic, "drain").getSessionId();
        calls.write(writer, 1, events("d", 3));
        calls.commit(writer, 1);
        calls.write(writer, 2, events("d2", 1));
        String reader = calls.reader(topic).getSessionId();
        assertThat(calls.read(reader, 1, 1, 5000).getEvents()).hasSize(1);
        String idleReader = calls.allocate(new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.LATEST))
                .getSessionId();
        CompletableFuture<SwitchResponse> poll = node.handle(Calls.readRequest(idleReader, 1, 10, 20_000));

        // When
        node.drain();

        // Then
        error(Calls.await(poll), ErrorCode.DRAINING);
        error(calls.call(SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.READ))), ErrorCode.DRAINING);
        error(calls.call(Calls.readRequest(reader, 2, 1, 0)), ErrorCode.DRAINING);
        error(calls.call(Calls.writeRequest(writer, 3, events("x", 1))), ErrorCode.DRAINING);
        assertThat(calls.commit(writer, 2))
                .as("a draining node still commits what it staged")
                .isEqualTo(2);
        assertThat(calls.ack(reader, 1).getCursor()).isNotEmpty();
        assertThat(calls.dispose(reader).isSetDispose()).isTrue();
    }

    @Test
    void closingIsQuickEvenWithALongPollInFlight() {
        // Given
        String reader = calls.reader(topic).getSessionId();
        CompletableFuture<SwitchResponse> poll =
                node.handle(SwitchRequest.read(new ReadRequest(reader, 1).setMaxWaitMs(20_000)));
        calls.writer(topic, "closing");

        clock.freeze(); // the poll can only end by what the close does

        // When
        node.close();

        // Then the drain woke the poll at once (a poll left to the dispose would answer SESSION_LOST)
        error(Calls.await(poll), ErrorCode.DRAINING);
        assertThat(node.sessionCount().getAsInt()).isZero();
        error(calls.call(Calls.ackRequest(reader, 1)), ErrorCode.SESSION_LOST);
        error(calls.call(Calls.readRequest(reader, 1, 10, 0)), ErrorCode.DRAINING);
        error(calls.call(SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.WRITE))), ErrorCode.DRAINING);
    }

    /** The text with the character at {@code index} replaced by another base64url character. */
    private static String flip(String text, int index) {
        char replacement = text.charAt(index) == 'A' ? 'B' : 'A';
        return text.substring(0, index) + replacement + text.substring(index + 1);
    }
}
