package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.internal.WriteSessionMachine.Closed;
import dev.switchboard.backend.internal.WriteSessionMachine.Command;
import dev.switchboard.backend.internal.WriteSessionMachine.GaveUp;
import dev.switchboard.backend.internal.WriteSessionMachine.NotSpilled;
import dev.switchboard.backend.internal.WriteSessionMachine.Protocol;
import dev.switchboard.backend.internal.WriteSessionMachine.Range;
import dev.switchboard.backend.internal.WriteSessionMachine.Spill;
import dev.switchboard.backend.internal.WriteSessionMachine.Spilled;
import dev.switchboard.backend.internal.WriteSessionMachine.SpilledAbove;
import dev.switchboard.backend.internal.WriteSessionMachine.State;
import dev.switchboard.backend.internal.WriteSessionMachine.Writing;
import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.core.session.WriteMachine.AlreadyStaged;
import dev.switchboard.core.session.WriteMachine.AwaitCommitted;
import dev.switchboard.core.session.WriteMachine.Commit;
import dev.switchboard.core.session.WriteMachine.Committed;
import dev.switchboard.core.session.WriteMachine.Dispose;
import dev.switchboard.core.session.WriteMachine.Effect;
import dev.switchboard.core.session.WriteMachine.Open;
import dev.switchboard.core.session.WriteMachine.Publish;
import dev.switchboard.core.session.WriteMachine.PublishFailed;
import dev.switchboard.core.session.WriteMachine.Published;
import dev.switchboard.core.session.WriteMachine.Release;
import dev.switchboard.core.session.WriteMachine.Rewound;
import dev.switchboard.core.session.WriteMachine.Stage;
import dev.switchboard.core.session.WriteMachine.Write;
import dev.switchboard.core.session.WriteMachine.WriteAndCommit;
import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (state, command) pair of a backend write session: the protocol's steps as {@link WriteMachine} takes them,
 * and what the node adds (the chunks a commit waits for, the spill).
 */
class WriteSessionMachineTest {
    private static final Spill NONE = new NotSpilled();
    /** Two chunks staged, none published or awaited. */
    private static final Writing STAGED = writing(0, 0, 2, 0, NONE);
    /** A commit of chunk 2 waits; chunks 1..2 are published, not acknowledged. */
    private static final Writing AWAITING = writing(0, 2, 2, 2, NONE);
    /** Chunks 1..2 went to the spill journal at a drain deadline; chunk 3 is staged. */
    private static final Writing SPILLED = writing(2, 2, 3, 2, new SpilledAbove(0));

    private static final Closed CLOSED = new Closed();

    static Stream<Arguments> table() {
        Rejection lost = new Rejection(ErrorCode.SESSION_LOST, "session is closed", -1, -1);
        return Stream.of(
                row(STAGED, new Write(3), writing(0, 0, 3, 0, NONE), new Stage(3)),
                row(STAGED, new Commit(2), AWAITING, new Publish(1, 2), new AwaitCommitted(2)),
                row(
                        STAGED,
                        new WriteAndCommit(3),
                        writing(0, 3, 3, 3, NONE),
                        new Stage(3),
                        new Publish(1, 3),
                        new AwaitCommitted(3)),
                row(STAGED, new Published(1), writing(1, 1, 2, 1, NONE), new Committed(1)),
                row(STAGED, new PublishFailed(), STAGED, new Rewound(0)),
                row(STAGED, new Dispose(), CLOSED, new Release()),
                row(STAGED, new GaveUp(), STAGED),
                row(STAGED, new Spilled(2), writing(2, 2, 2, 2, new SpilledAbove(0)), new Committed(2)),
                row(STAGED, new Spilled(0), STAGED), // nothing above committed: no spill
                row(AWAITING, new Write(3), writing(0, 2, 3, 2, NONE), new Stage(3)),
                row(AWAITING, new Commit(1), AWAITING, new AwaitCommitted(1)), // still waits for 2 as well
                row(AWAITING, new WriteAndCommit(2), AWAITING, new AlreadyStaged(2), new AwaitCommitted(2)),
                row(AWAITING, new Published(2), writing(2, 2, 2, 2, NONE), new Committed(2)),
                // a failed publish keeps what commits wait for: while the node drains, they wait on for the spill
                row(AWAITING, new PublishFailed(), writing(0, 0, 2, 2, NONE), new Rewound(0)),
                row(AWAITING, new Dispose(), CLOSED, new Release()),
                row(AWAITING, new GaveUp(), writing(0, 2, 2, 0, NONE)), // answered: the client resends them
                row(AWAITING, new Spilled(2), writing(2, 2, 2, 2, new SpilledAbove(0)), new Committed(2)),
                row(SPILLED, new Write(4), writing(2, 2, 4, 2, new SpilledAbove(0)), new Stage(4)),
                row(
                        SPILLED,
                        new Commit(3),
                        writing(2, 3, 3, 3, new SpilledAbove(0)),
                        new Publish(3, 3),
                        new AwaitCommitted(3)),
                row(SPILLED, new Published(3), writing(3, 3, 3, 3, new SpilledAbove(0)), new Committed(3)),
                row(
                        SPILLED,
                        new WriteAndCommit(4),
                        writing(2, 4, 4, 4, new SpilledAbove(0)),
                        new Stage(4),
                        new Publish(3, 4),
                        new AwaitCommitted(4)),
                row(SPILLED, new PublishFailed(), SPILLED, new Rewound(2)),
                row(SPILLED, new Dispose(), CLOSED, new Release()),
                row(SPILLED, new GaveUp(), SPILLED),
                // a second spill keeps where the first began: everything above it was spilled
                row(SPILLED, new Spilled(3), writing(3, 3, 3, 3, new SpilledAbove(0)), new Committed(3)),
                row(CLOSED, new Write(1), CLOSED, lost),
                row(CLOSED, new Commit(1), CLOSED, lost),
                row(CLOSED, new WriteAndCommit(1), CLOSED, lost),
                row(CLOSED, new Published(1), CLOSED, lost),
                row(CLOSED, new PublishFailed(), CLOSED, lost),
                row(CLOSED, new Dispose(), CLOSED), // released once
                row(CLOSED, new GaveUp(), CLOSED),
                row(CLOSED, new Spilled(1), CLOSED));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} / {3}")
    @MethodSource("table")
    void movesAsTheTableSays(State from, Command command, State to, List<Effect> effects) {
        Transition<State, Effect> step = WriteSessionMachine.apply(from, command);

        assertThat(step.state()).isEqualTo(to);
        assertThat(step.effects()).isEqualTo(effects);
    }

    @Test
    void theTableWalksEveryKindOfStateWithEveryKindOfCommand() {
        Set<List<Class<?>>> walked = new HashSet<>();
        table().forEach(row -> walked.add(List.of(row.get()[0].getClass(), kind((Command) row.get()[1]))));
        Set<List<Class<?>>> every = new HashSet<>();
        List<Class<?>> commands = new ArrayList<>(List.of(WriteMachine.Command.class.getPermittedSubclasses()));
        commands.addAll(List.of(GaveUp.class, Spilled.class));
        for (Class<?> state : State.class.getPermittedSubclasses()) {
            for (Class<?> command : commands) {
                every.add(List.of(state, command));
            }
        }
        assertThat(Command.class.getPermittedSubclasses())
                .as("the protocol's commands, and the node's own")
                .containsExactlyInAnyOrder(Protocol.class, GaveUp.class, Spilled.class);
        assertThat(walked).isEqualTo(every);
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("table")
    void protocolCommandsStepAsTheProtocolMachineDoes(State from, Command command, State to, List<Effect> effects) {
        if (from instanceof Writing writing && command instanceof Protocol protocol) {
            Transition<WriteMachine.State, Effect> expected =
                    WriteMachine.apply(writing.protocol(), protocol.command());

            assertThat(effects).isEqualTo(expected.effects());
            assertThat(to instanceof Writing next ? next.protocol() : new WriteMachine.Closed())
                    .isEqualTo(expected.state());
        }
    }

    @Test
    void aCommitAnswerSaysSpilledOnlyWhenItCoversSpilledChunks() {
        assertThat(STAGED.spilledCommitted()).isFalse();
        assertThat(SPILLED.spilledCommitted()).isTrue();
        assertThat(writing(1, 1, 2, 1, new SpilledAbove(1)).spilledCommitted()).isFalse();
    }

    @Test
    void theChunksToSpillAreThoseACommitWaitsForAboveCommitted() {
        assertThat(AWAITING.unacknowledged()).isEqualTo(new Range(1, 2));
        assertThat(STAGED.unacknowledged().isEmpty()).isTrue();
        assertThat(((Writing) WriteSessionMachine.initial(5, 4))
                        .unacknowledged()
                        .isEmpty())
                .as("a resumed writer awaits nothing yet")
                .isTrue();
    }

    @Test
    void brokenStatesCannotBeBuilt() {
        assertThatThrownBy(() -> writing(2, 2, 3, 1, NONE))
                .as("awaiting below committed")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writing(0, 0, 2, 3, NONE))
                .as("awaiting beyond staged")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writing(1, 1, 2, 1, new SpilledAbove(2)))
                .as("spilled above committed")
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Class<?> kind(Command command) {
        return command instanceof Protocol protocol ? protocol.command().getClass() : command.getClass();
    }

    private static Writing writing(long committed, long publishing, long staged, long awaited, Spill spill) {
        return new Writing(new Open(committed, publishing, staged, 4), awaited, spill);
    }

    private static Arguments row(State from, WriteMachine.Command command, State to, Effect... effects) {
        return Arguments.of(from, new Protocol(command), to, List.of(effects));
    }

    private static Arguments row(State from, Command command, State to, Effect... effects) {
        return Arguments.of(from, command, to, List.of(effects));
    }
}
