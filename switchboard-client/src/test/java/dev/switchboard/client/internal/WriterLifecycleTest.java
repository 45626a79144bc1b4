package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.client.internal.WriterLifecycle.AwaitRoom;
import dev.switchboard.client.internal.WriterLifecycle.CommitFailed;
import dev.switchboard.client.internal.WriterLifecycle.Committed;
import dev.switchboard.client.internal.WriterLifecycle.Fail;
import dev.switchboard.client.internal.WriterLifecycle.FailPublishes;
import dev.switchboard.client.internal.WriterLifecycle.Failed;
import dev.switchboard.client.internal.WriterLifecycle.Healthy;
import dev.switchboard.client.internal.WriterLifecycle.InterruptCommit;
import dev.switchboard.client.internal.WriterLifecycle.Lost;
import dev.switchboard.client.internal.WriterLifecycle.Replaced;
import dev.switchboard.client.internal.WriterLifecycle.Running;
import dev.switchboard.client.internal.WriterLifecycle.Session;
import dev.switchboard.client.internal.WriterLifecycle.StartCommit;
import dev.switchboard.client.internal.WriterLifecycle.State;
import dev.switchboard.client.internal.WriterLifecycle.Step;
import dev.switchboard.client.internal.WriterLifecycle.Stop;
import dev.switchboard.client.internal.WriterLifecycle.Stopping;
import dev.switchboard.client.internal.WriterLifecycle.Written;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.Limits;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

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
