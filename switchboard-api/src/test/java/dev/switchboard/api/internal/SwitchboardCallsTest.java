package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.api.ApiLimits;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The call side alone, against a recording switch: deadlines, routing keys, answer checks, shutdown. */
class SwitchboardCallsTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(300);
    private static final Duration MARGIN = Duration.ofMillis(200);
    private static final String SESSION = "s0.n1.abc";

    private final InFlightCalls inFlight = new InFlightCalls();
    private final QueueDelayShedding shedding =
            new QueueDelayShedding(ApiLimits.DEFAULT_MAX_QUEUE_DELAY, Clock.systemUTC(), new ApiCounters());

    private SwitchboardCalls calls(RecordingSwitch sw) {
        return new SwitchboardCalls(
                sw, new CallDeadlines(REQUEST_TIMEOUT, MARGIN), inFlight, CallContext.empty(), shedding);
    }

    private static RecordingSwitch answering(SwitchResponse response) {
        return new RecordingSwitch(request -> CompletableFuture.completedFuture(response));
    }

    @Test
    void readDeadlineIsItsWaitPlusTheMarginCappedAtSixtySeconds() throws Exception {
        // Given
        RecordingSwitch sw = new RecordingSwitch(
                request -> CompletableFuture.completedFuture(SwitchResponse.read(new ReadResponse(1, List.of()))));
        SwitchboardCalls calls = calls(sw);

        // When
        calls.read(new ReadRequest(SESSION, 1).setMaxWaitMs(1_000));
        calls.read(new ReadRequest(SESSION, 1).setMaxWaitMs(600_000));
        calls.read(new ReadRequest(SESSION, 1));

        // Then
        assertThat(sw.sent())
                .extracting(RecordingSwitch.Sent::timeout)
                .containsExactly(
                        Duration.ofMillis(1_000).plus(MARGIN),
                        Duration.ofSeconds(60).plus(MARGIN),
                        Duration.ofSeconds(60).plus(MARGIN));
        assertThat(sw.sent().getFirst().session())
                .hasValueSatisfying(session -> assertThat(session.node()).isEqualTo("n1"));
    }

    @Test
    void otherCallsGetTheRequestTimeout() throws Exception {
        RecordingSwitch sw = answering(SwitchResponse.ack(new AckResponse(1, "c")));

        calls(sw).ack(new AckRequest(SESSION, 1));

        assertThat(sw.sent())
                .singleElement()
                .extracting(RecordingSwitch.Sent::timeout)
                .isEqualTo(REQUEST_TIMEOUT);
    }

    @Test
    void aCommitGetsTheRequestTimeoutAndTheCommitMarginSoTheBackendsOwnTimeoutAnswerArrives() throws Exception {
        // Given a backend whose commit waits for Kafka up to its max-wait, as long as the request timeout
        RecordingSwitch sw = answering(SwitchResponse.commit(new CommitResponse(4)));

        // When a commit is forwarded
        CommitResponse response = calls(sw).commit(new CommitRequest(SESSION, 4));

        // Then the API node waits longer than that, so the client hears what happened from the backend
        assertThat(response.getCommittedSeq()).isEqualTo(4);
        assertThat(sw.sent())
                .singleElement()
                .extracting(RecordingSwitch.Sent::timeout)
                .isEqualTo(REQUEST_TIMEOUT.plus(CallDeadlines.COMMIT_MARGIN));
        assertThat(new CallDeadlines(Duration.ofSeconds(90), MARGIN).longest())
                .isEqualTo(Duration.ofSeconds(90).plus(CallDeadlines.COMMIT_MARGIN));
    }

    @Test
    void allocateRoutesByAffinityElseByTopic() throws Exception {
        RecordingSwitch sw = answering(SwitchResponse.error(new SwitchboardError(ErrorCode.BUSY, "busy")));
        SwitchboardCalls calls = calls(sw);

        expectCode(() -> calls.allocate(new AllocateRequest("orders", SessionMode.READ)), ErrorCode.BUSY);
        expectCode(
                () -> calls.allocate(new AllocateRequest("orders", SessionMode.READ).setAffinity("tenant-7")),
                ErrorCode.BUSY);

        assertThat(sw.sent())
                .extracting(RecordingSwitch.Sent::affinity)
                .containsExactly(Optional.of("orders"), Optional.of("tenant-7"));
    }

    @Test
    void switchThatNeverAnswersIsUnavailable() {
        RecordingSwitch sw = new RecordingSwitch(request -> new CompletableFuture<>());

        expectCode(() -> calls(sw).ack(new AckRequest(SESSION, 1)), ErrorCode.UNAVAILABLE);
        assertThat(inFlight.size()).isZero();
    }

    @Test
    void wrongKindOfAnswerIsInternal() {
        RecordingSwitch sw = answering(SwitchResponse.ack(new AckResponse(1, "c")));

        expectCode(() -> calls(sw).commit(new CommitRequest(SESSION, 1)), ErrorCode.INTERNAL);
    }

    @Test
    void answerMissingRequiredFieldsIsInternal() {
        RecordingSwitch sw = answering(SwitchResponse.ack(new AckResponse().setSeq(1)));

        expectCode(() -> calls(sw).ack(new AckRequest(SESSION, 1)), ErrorCode.INTERNAL);
    }

    @Test
    void errorWithoutMessageGetsTheDefaultMessage() {
        RecordingSwitch sw = answering(SwitchResponse.error(new SwitchboardError().setCode(ErrorCode.DRAINING)));

        assertThatThrownBy(() -> calls(sw).commit(new CommitRequest(SESSION, 1)))
                .isInstanceOfSatisfying(SwitchboardError.class, error -> {
                    assertThat(error.getCode()).isEqualTo(ErrorCode.DRAINING);
                    assertThat(error.getMessage()).isNotBlank();
                });
    }

    @Test
    void obviouslyBadInputNeverReachesTheSwitch() {
        RecordingSwitch sw = new RecordingSwitch(request -> new CompletableFuture<>());
        SwitchboardCalls calls = calls(sw);

        expectCode(() -> calls.read(null), ErrorCode.INVALID_REQUEST);
        expectCode(() -> calls.read(new ReadRequest(SESSION, 1).setMaxWaitMs(-1)), ErrorCode.INVALID_REQUEST);
        expectCode(() -> calls.read(new ReadRequest(SESSION, 1).setMaxEvents(0)), ErrorCode.INVALID_REQUEST);
        expectCode(() -> calls.commit(new CommitRequest("s0..abc", 1)), ErrorCode.INVALID_REQUEST);
        assertThat(sw.sent()).isEmpty();
    }

    @Test
    void closingAnswersWaitingCallsAtOnce() {
        // Given a call waiting on a switch that has not answered
        RecordingSwitch sw = new RecordingSwitch(request -> new CompletableFuture<>());
        SwitchboardCalls calls = new SwitchboardCalls(
                sw, new CallDeadlines(Duration.ofMinutes(5), MARGIN), inFlight, CallContext.empty(), shedding);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                calls.commit(new CommitRequest(SESSION, 1));
                outcome.complete(null);
            } catch (Exception e) {
                outcome.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlight.size() == 1);

        // When
        inFlight.close();

        // Then it is answered UNAVAILABLE, and so is any later call
        assertThat(outcome)
                .succeedsWithin(Duration.ofSeconds(5))
                .isInstanceOfSatisfying(
                        SwitchboardError.class,
                        error -> assertThat(error.getCode()).isEqualTo(ErrorCode.UNAVAILABLE));
        expectCode(() -> calls.commit(new CommitRequest(SESSION, 2)), ErrorCode.UNAVAILABLE);
    }

    private static void expectCode(Executable call, ErrorCode code) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(
                        SwitchboardError.class,
                        error -> assertThat(error.getCode()).isEqualTo(code));
    }
}
