package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.client.internal.WriterLifecycle.AwaitRoom;
import dev.switchboard.client.internal.WriterLifecycle.CommitFailed;
import dev.switchboard.client.internal.WriterLifecycle.CommitRides;
import dev.switchboard.client.internal.WriterLifecycle.Committed;
import dev.switchboard.client.internal.WriterLifecycle.Fail;
import dev.switchboard.client.internal.WriterLifecycle.FailPublishes;
import dev.switchboard.client.internal.WriterLifecycle.Failed;
import dev.switchboard.client.internal.WriterLifecycle.Healthy;
import dev.switchboard.client.internal.WriterLifecycle.InterruptCommit;
import dev.switchboard.client.internal.WriterLifecycle.Lost;
import dev.switchboard.client.internal.WriterLifecycle.Replaced;
import dev.switchboard.client.internal.WriterLifecycle.RideCancelled;
import dev.switchboard.client.internal.WriterLifecycle.Running;
import dev.switchboard.client.internal.WriterLifecycle.Sending;
import dev.switchboard.client.internal.WriterLifecycle.Session;
import dev.switchboard.client.internal.WriterLifecycle.StartCommit;
import dev.switchboard.client.internal.WriterLifecycle.State;
import dev.switchboard.client.internal.WriterLifecycle.Step;
import dev.switchboard.client.internal.WriterLifecycle.Stop;
import dev.switchboard.client.internal.WriterLifecycle.Stopping;
import dev.switchboard.client.internal.WriterLifecycle.Written;
import dev.switchboard.client.internal.WriterLifecycle.WrittenWithCommit;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.Limits;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WriterLifecycleTest {
    private static final Session FIRST = new Session("s1", new Limits(), 2, 0);
    private static final Session SECOND = new Session("s2", new Limits(), 2, 1);
    private static final SwitchboardClientException LOST =
            new SwitchboardClientException(ErrorCode.SESSION_LOST, "gone");
    private static final SwitchboardClientException BROKEN = new SwitchboardClientException(ErrorCode.INTERNAL, "bad");

    @Test
    void aWrittenChunkIsStagedAndStartsACommitWhenNoneRuns() {
        Step step = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 5), new Written(FIRST, 6));

        assertThat(step.effects()).containsExactly(new StartCommit(FIRST, 6));
        Healthy link = healthy(step.state());
        assertThat(link.mirror()).isEqualTo(new WriteMachine.Open(5, 6, 6, 2));
        assertThat(link.commit()).isEqualTo(OptionalLong.of(6));
    }

    @Test
    void aSecondWriteWaitsForTheCommitInFlight() {
        State committing = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                .state();

        Step step = WriterLifecycle.apply(committing, new Written(FIRST, 2));

        assertThat(step.effects()).isEmpty();
        assertThat(healthy(step.state()).mirror().staged()).isEqualTo(2);
        assertThat(healthy(step.state()).mirror().windowFull()).isTrue();
    }

    @Test
    void aCommitAnswerMovesTheMirrorAndStartsTheNextCommit() {
        State state = WriterLifecycle.initial(FIRST, 0);
        state = WriterLifecycle.apply(state, new Written(FIRST, 1)).state();
        state = WriterLifecycle.apply(state, new Written(FIRST, 2)).state();

        Step step = WriterLifecycle.apply(state, new Committed(FIRST, 1));

        assertThat(step.effects()).containsExactly(new StartCommit(FIRST, 2));
        assertThat(healthy(step.state()).mirror()).isEqualTo(new WriteMachine.Open(1, 2, 2, 2));
    }

    @Test
    void aCommitAnswerBeyondWhatThisSessionPublishedOnlyCoversItsPublishes() {
        State state = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                .state();

        Step step = WriterLifecycle.apply(state, new Committed(FIRST, 9));

        assertThat(healthy(step.state()).mirror()).isEqualTo(new WriteMachine.Open(1, 1, 1, 2));
        assertThat(healthy(step.state()).commit()).isEmpty();
    }

    @Test
    void answersOfAReplacedSessionChangeNothing() {
        State state = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Replaced(SECOND, 3))
                .state();

        assertThat(WriterLifecycle.apply(state, new Written(FIRST, 4)).state()).isEqualTo(state);
        assertThat(WriterLifecycle.apply(state, new Committed(FIRST, 4)).state())
                .isEqualTo(state);
        assertThat(WriterLifecycle.apply(state, new CommitFailed(FIRST, LOST, true))
                        .state())
                .isEqualTo(state);
    }

    @Test
    void aCommitThatLostTheSessionRewindsAndAsksForANewOne() {
        State state = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                .state();

        Step step = WriterLifecycle.apply(state, new CommitFailed(FIRST, LOST, true));

        Lost lost = (Lost) ((Running) step.state()).link();
        assertThat(lost.cause()).isSameAs(LOST);
        assertThat(lost.mirror()).isEqualTo(new WriteMachine.Open(0, 0, 1, 2));
        assertThat(WriterLifecycle.nextWork(step.state(), true)).isEqualTo(new WriterLifecycle.Recover(LOST));
        assertThat(WriterLifecycle.apply(step.state(), new AwaitRoom()).effects())
                .isEmpty();
    }

    @Test
    void aNewSessionMakesTheLinkHealthyAgainAfterItsLastCommittedChunk() {
        State lost = WriterLifecycle.apply(
                        WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                                .state(),
                        new CommitFailed(FIRST, LOST, true))
                .state();

        Step step = WriterLifecycle.apply(lost, new Replaced(SECOND, 0));

        assertThat(step.state())
                .isEqualTo(new Running(new Healthy(SECOND, new WriteMachine.Open(0, 0, 0, 2), OptionalLong.empty())));
    }

    // ---- the commit riding on a write: Sending, WrittenWithCommit, RideCancelled in every state ----

    /** Healthy with no commit in flight after chunk 5; window 2. */
    private static final State IDLE = WriterLifecycle.initial(FIRST, 5);

    @Test
    void theCommitRidesOnTheLastWriteWhenNoneIsInFlight() {
        Step step = WriterLifecycle.apply(IDLE, new Sending(FIRST, 6, false));

        assertThat(step.effects()).containsExactly(new CommitRides(6));
        assertThat(healthy(step.state()).commit()).isEqualTo(OptionalLong.of(6));
        assertThat(healthy(step.state()).mirror()).isEqualTo(new WriteMachine.Open(5, 5, 5, 2)); // staged on answer
    }

    @Test
    void theCommitRidesOnAWriteThatFillsTheWindowEvenWithMoreToWrite() {
        State oneStaged = new Running(new Healthy(FIRST, new WriteMachine.Open(5, 5, 6, 2), OptionalLong.empty()));

        assertThat(WriterLifecycle.apply(oneStaged, new Sending(FIRST, 7, true)).effects())
                .containsExactly(new CommitRides(7));
    }

    @Test
    void noCommitRidesWhileTheWorkerHasMoreToWriteOrACommitRuns() {
        State committing = WriterLifecycle.apply(IDLE, new Written(FIRST, 6)).state(); // a commit of 6 runs

        assertThat(WriterLifecycle.apply(IDLE, new Sending(FIRST, 6, true))).isEqualTo(new Step(IDLE));
        assertThat(WriterLifecycle.apply(committing, new Sending(FIRST, 7, false)))
                .isEqualTo(new Step(committing));
        assertThat(WriterLifecycle.apply(IDLE, new Sending(SECOND, 6, false))).isEqualTo(new Step(IDLE));
        assertThat(WriterLifecycle.apply(IDLE, new Sending(FIRST, 8, false))).isEqualTo(new Step(IDLE));
    }

    @Test
    void aRiddenWriteAnsweredWithItsCommitStagesAndCommits() {
        State riding = WriterLifecycle.apply(IDLE, new Sending(FIRST, 6, false)).state();

        Step step = WriterLifecycle.apply(riding, new WrittenWithCommit(FIRST, 6, OptionalLong.of(6)));

        assertThat(step.effects()).isEmpty();
        assertThat(step.state())
                .isEqualTo(new Running(new Healthy(FIRST, new WriteMachine.Open(6, 6, 6, 2), OptionalLong.empty())));
    }

    @Test
    void aRiddenWriteAnsweredWithoutACommitCommitsApart() {
        // a node older than WriteRequest.commit only staged the chunk
        State riding = WriterLifecycle.apply(IDLE, new Sending(FIRST, 6, false)).state();

        Step step = WriterLifecycle.apply(riding, new WrittenWithCommit(FIRST, 6, OptionalLong.empty()));

        assertThat(step.effects()).containsExactly(new StartCommit(FIRST, 6));
        assertThat(healthy(step.state()).mirror()).isEqualTo(new WriteMachine.Open(5, 6, 6, 2));
    }

    @Test
    void aRefusedRiddenWriteLeavesNoCommitInFlight() {
        State riding = WriterLifecycle.apply(IDLE, new Sending(FIRST, 6, false)).state();

        Step step = WriterLifecycle.apply(riding, new RideCancelled(FIRST));

        assertThat(step).isEqualTo(new Step(IDLE));
    }

    static Stream<State> statesWithoutAHealthyCurrentSession() {
        State lost = WriterLifecycle.apply(
                        WriterLifecycle.apply(IDLE, new Written(FIRST, 6)).state(), new CommitFailed(FIRST, LOST, true))
                .state();
        return Stream.of(
                lost,
                WriterLifecycle.apply(IDLE, new Fail(BROKEN)).state(),
                WriterLifecycle.apply(IDLE, new Replaced(SECOND, 5)).state());
    }

    @ParameterizedTest
    @MethodSource("statesWithoutAHealthyCurrentSession")
    void riddenWritesChangeNothingWithoutAHealthyCurrentSession(State state) {
        // lost (replace first), failed, or replaced (FIRST's answers are old)
        assertThat(WriterLifecycle.apply(state, new Sending(FIRST, 7, false))).isEqualTo(new Step(state));
        assertThat(WriterLifecycle.apply(state, new RideCancelled(FIRST))).isEqualTo(new Step(state));
        if (!(state instanceof Running running && running.link() instanceof Lost)) {
            assertThat(WriterLifecycle.apply(state, new WrittenWithCommit(FIRST, 7, OptionalLong.of(7))))
                    .isEqualTo(new Step(state));
        }
    }

    @Test
    void aStoppingPublisherStillRidesItsLastCommit() {
        State stopping = WriterLifecycle.apply(IDLE, new Stop()).state();

        Step sending = WriterLifecycle.apply(stopping, new Sending(FIRST, 6, false));
        Step answered = WriterLifecycle.apply(sending.state(), new WrittenWithCommit(FIRST, 6, OptionalLong.of(6)));

        assertThat(sending.effects()).containsExactly(new CommitRides(6));
        assertThat(answered.state())
                .isEqualTo(new Stopping(new Healthy(FIRST, new WriteMachine.Open(6, 6, 6, 2), OptionalLong.empty())));
    }

    @Test
    void aCommitFailingForGoodFailsThePublisher() {
        State state = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                .state();

        Step step = WriterLifecycle.apply(state, new CommitFailed(FIRST, BROKEN, false));

        assertThat(step.state()).isEqualTo(new Failed(FIRST, BROKEN));
        assertThat(step.effects()).containsExactly(new FailPublishes(BROKEN));
        assertThat(WriterLifecycle.nextWork(step.state(), true)).isEqualTo(new WriterLifecycle.Finish());
    }

    @Test
    void aFailedPublisherKeepsItsFirstCauseAndFollowsANewSessionToDisposeIt() {
        State failed = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Fail(BROKEN))
                .state();

        assertThat(WriterLifecycle.apply(failed, new Fail(LOST)).effects()).containsExactly(new FailPublishes(BROKEN));
        assertThat(WriterLifecycle.apply(failed, new Replaced(SECOND, 0)).state())
                .isEqualTo(new Failed(SECOND, BROKEN));
        assertThat(WriterLifecycle.apply(failed, new Written(FIRST, 1)).state()).isEqualTo(failed);
        assertThat(WriterLifecycle.apply(failed, new Stop()).effects()).containsExactly(new InterruptCommit());
    }

    @Test
    void stoppingFinishesTheQueueFirstAndInterruptsACommitInFlight() {
        State committing = WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                .state();

        Step step = WriterLifecycle.apply(committing, new Stop());

        assertThat(step.state()).isInstanceOf(Stopping.class);
        assertThat(step.effects()).containsExactly(new InterruptCommit());
        assertThat(WriterLifecycle.nextWork(step.state(), true)).isEqualTo(new WriterLifecycle.Publish());
        assertThat(WriterLifecycle.nextWork(step.state(), false)).isEqualTo(new WriterLifecycle.Finish());
        assertThat(WriterLifecycle.apply(step.state(), new Stop())).isEqualTo(new Step(step.state()));
    }

    @Test
    void aStoppingPublisherStillRecoversALostSessionForItsQueuedPublishes() {
        State lost = WriterLifecycle.apply(
                        WriterLifecycle.apply(WriterLifecycle.initial(FIRST, 0), new Written(FIRST, 1))
                                .state(),
                        new CommitFailed(FIRST, LOST, true))
                .state();

        State stopping = WriterLifecycle.apply(lost, new Stop()).state();

        assertThat(WriterLifecycle.nextWork(stopping, true)).isEqualTo(new WriterLifecycle.Recover(LOST));
        assertThat(WriterLifecycle.nextWork(stopping, false)).isEqualTo(new WriterLifecycle.Finish());
        assertThat(WriterLifecycle.apply(stopping, new Replaced(SECOND, 0)).state())
                .isInstanceOf(Stopping.class);
    }

    @Test
    void aRunningPublisherWithNothingQueuedWaits() {
        assertThat(WriterLifecycle.nextWork(WriterLifecycle.initial(FIRST, 0), false))
                .isEqualTo(new WriterLifecycle.Wait());
        assertThat(WriterLifecycle.nextWork(WriterLifecycle.initial(FIRST, 0), true))
                .isEqualTo(new WriterLifecycle.Publish());
    }

    private static Healthy healthy(State state) {
        return (Healthy) ((Running) state).link();
    }
}
