package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.testkit.HandClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The API node's queue-delay shedding through the calls it guards: which calls it refuses while the node is behind
 * (allocate, read, write) and which it never refuses (commit, ack, dispose), which calls feed the gate, and that
 * it opens again. Time is a hand-moved clock; "behind" is requests that arrived long before they were answered.
 */
class QueueDelaySheddingTest {
    private static final Duration BOUND = Duration.ofMillis(500);
    private static final String SESSION = "s0.n1.abc";

    private final HandClock clock = new HandClock();
    private final ApiCounters counters = new ApiCounters();
    private final QueueDelayShedding shedding = new QueueDelayShedding(BOUND, clock, counters);
    /** How long the backend takes to answer, on the hand clock. */
    private final AtomicLong backendMillis = new AtomicLong();

    private final RecordingSwitch sw = new RecordingSwitch(request -> {
        clock.advance(Duration.ofMillis(backendMillis.get()));
        return CompletableFuture.completedFuture(answer(request));
    });

    @Test
    void theKindsShedAreNewWorkAndTheKindsTimedAreAnsweredAtOnce() {
        assertThat(QueueDelayShedding.sheds(allocate())).isTrue();
        assertThat(QueueDelayShedding.sheds(SwitchRequest.read(new ReadRequest(SESSION, 1))))
                .isTrue();
        assertThat(QueueDelayShedding.sheds(SwitchRequest.write(write(1)))).isTrue();
        assertThat(QueueDelayShedding.sheds(SwitchRequest.write(write(1).setCommit(true))))
                .isTrue();
        assertThat(QueueDelayShedding.sheds(SwitchRequest.commit(new CommitRequest(SESSION, 1))))
                .isFalse();
        assertThat(QueueDelayShedding.sheds(SwitchRequest.ack(new AckRequest(SESSION, 1))))
                .isFalse();
        assertThat(QueueDelayShedding.sheds(SwitchRequest.dispose(new DisposeRequest(SESSION))))
                .isFalse();

        assertThat(QueueDelayShedding.timed(SwitchRequest.write(write(1)))).isTrue();
        assertThat(QueueDelayShedding.timed(SwitchRequest.ack(new AckRequest(SESSION, 1))))
                .isTrue();
        assertThat(QueueDelayShedding.timed(SwitchRequest.write(write(1).setCommit(true))))
                .isFalse();
        assertThat(QueueDelayShedding.timed(allocate())).isFalse();
        assertThat(QueueDelayShedding.timed(SwitchRequest.read(new ReadRequest(SESSION, 1))))
                .isFalse();
        assertThat(QueueDelayShedding.timed(SwitchRequest.commit(new CommitRequest(SESSION, 1))))
                .isFalse();
        assertThat(QueueDelayShedding.timed(SwitchRequest.dispose(new DisposeRequest(SESSION))))
                .isFalse();
    }

    @Test
    void behindTheNodeRefusesNewWritesReadsAndAllocationsAtOnceWithoutSendingThem() {
        behind();
        int sentBefore = sw.sent().size();

        expectBusy(() -> arrivedNow().write(write(3)), "write");
        expectBusy(() -> arrivedNow().write(write(3).setCommit(true)), "write");
        expectBusy(() -> arrivedNow().read(new ReadRequest(SESSION, 1)), "read");
        expectBusy(() -> arrivedNow().allocate(new AllocateRequest("orders", SessionMode.WRITE)), "allocate");

        assertThat(sw.sent()).hasSize(sentBefore);
        assertThat(counters.queueDelayRefused()).isEqualTo(4);
    }

    @Test
    void behindTheNodeStillCommitsAcksAndDisposes() throws Exception {
        behind();

        assertThat(arrivedNow().commit(new CommitRequest(SESSION, 2)).getCommittedSeq())
                .isEqualTo(2);
        assertThat(arrivedNow().ack(new AckRequest(SESSION, 1)).getSeq()).isEqualTo(1);
        arrivedNow().dispose(new DisposeRequest(SESSION));

        assertThat(sw.sent())
                .extracting(sent -> sent.request().getSetField())
                .endsWith(SwitchRequest._Fields.COMMIT, SwitchRequest._Fields.ACK, SwitchRequest._Fields.DISPOSE);
        assertThat(counters.queueDelayRefused()).isZero();
    }

    @Test
    void quickAnswersKeepItOpenAndItOpensAgainOnceNothingSlowIsAnswered() throws Exception {
        // quick writes: open
        arrivedNow().write(write(1));
        clock.advance(Duration.ofSeconds(1));
        arrivedNow().write(write(2));
        assertThat(arrivedNow().write(write(3)).getStagedSeq()).isEqualTo(3);

        // behind (once the quick window has passed), then two windows in which nothing is answered: open again
        clock.advance(Duration.ofSeconds(1));
        behind();
        expectBusy(() -> arrivedNow().write(write(4)), "write");
        clock.advance(Duration.ofSeconds(2));
        assertThat(arrivedNow().write(write(4)).getStagedSeq()).isEqualTo(4);
    }

    @Test
    void slowLongPollsCommitsAndAllocationsDoNotCloseIt() throws Exception {
        for (int window = 0; window < 3; window++) {
            arrivedAgo(800).read(new ReadRequest(SESSION, 1).setMaxWaitMs(800));
            arrivedAgo(800).commit(new CommitRequest(SESSION, 1));
            arrivedAgo(800).write(write(1).setCommit(true));
            expectCode(
                    () -> arrivedAgo(800).allocate(new AllocateRequest("orders", SessionMode.WRITE)),
                    ErrorCode.TOPIC_NOT_FOUND);
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(arrivedNow().write(write(2)).getStagedSeq()).isEqualTo(2);
    }

    @Test
    void aCallWithoutArrivalTimeIsTimedFromItsStart() throws Exception {
        // a stream's own acks (no arrival time) that the backend takes 800 ms to answer
        backendMillis.set(800);
        SwitchboardCalls streamCalls = calls(CallContext.empty());
        streamCalls.ack(new AckRequest(SESSION, 1));
        clock.advance(Duration.ofSeconds(1));
        streamCalls.ack(new AckRequest(SESSION, 2));
        backendMillis.set(0);

        expectBusy(() -> arrivedNow().write(write(1)), "write");
    }

    /** Two windows of writes that each waited 800 ms, past the 500 ms bound, between arrival and answer. */
    private void behind() {
        try {
            arrivedAgo(800).write(write(1));
            clock.advance(Duration.ofSeconds(1));
            arrivedAgo(800).write(write(2));
        } catch (SwitchboardError e) {
            throw new AssertionError(e);
        }
    }

    private SwitchboardCalls arrivedNow() {
        return arrivedAgo(0);
    }

    private SwitchboardCalls arrivedAgo(long millis) {
        return calls(new CallContext(Map.of(), "127.0.0.1", "", clock.millis() - millis));
    }

    private SwitchboardCalls calls(CallContext context) {
        return new SwitchboardCalls(
                sw,
                new CallDeadlines(Duration.ofSeconds(30), Duration.ofSeconds(5)),
                new InFlightCalls(),
                context,
                shedding);
    }

    private static SwitchRequest allocate() {
        return SwitchRequest.allocate(new AllocateRequest("orders", SessionMode.WRITE));
    }

    private static WriteRequest write(long seq) {
        return new WriteRequest(SESSION, seq, List.of(new Event().setPayload(ByteBuffer.wrap(new byte[] {1}))));
    }

    private static SwitchResponse answer(SwitchRequest request) {
        return switch (request.getSetField()) {
            case ALLOCATE ->
                SwitchResponse.error(SwitchboardException.of(
                                dev.switchboard.protocol.ErrorCode.TOPIC_NOT_FOUND, "no topic in this test")
                        .toThrift());
            case READ -> SwitchResponse.read(new ReadResponse(request.getRead().getSeq(), List.of()));
            case WRITE -> {
                long seq = request.getWrite().getSeq();
                yield SwitchResponse.write(new WriteResponse(seq, seq));
            }
            case COMMIT ->
                SwitchResponse.commit(new CommitResponse(request.getCommit().getSeq()));
            case ACK -> SwitchResponse.ack(new AckResponse(request.getAck().getSeq(), "cursor"));
            case DISPOSE -> SwitchResponse.dispose(new DisposeResponse());
        };
    }

    private static void expectBusy(Executable call, String what) {
        assertThatThrownBy(call::execute).isInstanceOfSatisfying(SwitchboardError.class, error -> {
            assertThat(error.getCode()).isEqualTo(ErrorCode.BUSY);
            assertThat(error.getRetryAfterMs()).isEqualTo(800);
            assertThat(error.getMessage()).contains("max-queue-delay 500 ms").contains(what + " later");
        });
    }

    private static void expectCode(Executable call, ErrorCode code) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(
                        SwitchboardError.class,
                        error -> assertThat(error.getCode()).isEqualTo(code));
    }
}
