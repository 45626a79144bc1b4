package dev.switchboard.core.session;

import static dev.switchboard.core.session.TableRow.outOfSequence;
import static dev.switchboard.core.session.TableRow.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.session.WriteMachine.AlreadyStaged;
import dev.switchboard.core.session.WriteMachine.AwaitCommitted;
import dev.switchboard.core.session.WriteMachine.Closed;
import dev.switchboard.core.session.WriteMachine.Command;
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
import dev.switchboard.core.session.WriteMachine.State;
import dev.switchboard.core.session.WriteMachine.Write;
import dev.switchboard.core.session.WriteMachine.WriteAndCommit;
import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The write machine's transition table: every (state kind, command kind) pair, with the seq edge cases. */
class WriteMachineTest {
    /** Nothing staged beyond the committed chunk 2; window 3. */
    private static final Open FRESH = new Open(2, 2, 2, 3);
    /** Chunks 3 and 4 staged, none sent to Kafka. */
    private static final Open STAGED = new Open(2, 2, 4, 3);
    /** Chunk 3 sent to Kafka, chunk 4 staged. */
    private static final Open PUBLISHING = new Open(2, 3, 4, 3);
    /** Chunks 3 and 4 sent, chunk 5 staged: the window is full. */
    private static final Open IN_FLIGHT = new Open(2, 4, 5, 3);
    /** Chunk 3 sent, chunks 4 and 5 staged: the window is full. */
    private static final Open FULL = new Open(2, 3, 5, 3);

    private static final Closed CLOSED = new Closed();

    /** The table as the Java tests hold it; the shared file must hold exactly these rows. */
    static Stream<TableRow<State, Command, Effect>> javaTable() {
        return Stream.of(writes(), commits(), publishEvents(), disposes(), writesWithCommit())
                .flatMap(s -> s);
    }

    /** The commit riding on a write: Write then Commit, all or nothing. */
    private static Stream<TableRow<State, Command, Effect>> writesWithCommit() {
        return Stream.of(
                row(
                        "write and commit the next chunk",
                        FRESH,
                        new WriteAndCommit(3),
                        new Open(2, 3, 3, 3),
                        new Stage(3),
                        new Publish(3, 3),
                        new AwaitCommitted(3)),
                row(
                        "write and commit the committed chunk again",
                        FRESH,
                        new WriteAndCommit(2),
                        FRESH,
                        new AlreadyStaged(2),
                        new Committed(2)),
                row("write and commit with a gap", FRESH, new WriteAndCommit(4), FRESH, outOfSequence(3)),
                row(
                        "write and commit next while publishing",
                        PUBLISHING,
                        new WriteAndCommit(5),
                        new Open(2, 5, 5, 3),
                        new Stage(5),
                        new Publish(4, 5),
                        new AwaitCommitted(5)),
                row(
                        "write and commit a staged chunk again",
                        PUBLISHING,
                        new WriteAndCommit(4),
                        new Open(2, 4, 4, 3),
                        new AlreadyStaged(4),
                        new Publish(4, 4),
                        new AwaitCommitted(4)),
                row(
                        "write and commit an in-flight chunk again",
                        PUBLISHING,
                        new WriteAndCommit(3),
                        PUBLISHING,
                        new AlreadyStaged(3),
                        new AwaitCommitted(3)),
                row("write and commit next, window full", FULL, new WriteAndCommit(6), FULL, busy()),
                row(
                        "write and commit the last chunk again, window full",
                        FULL,
                        new WriteAndCommit(5),
                        new Open(2, 5, 5, 3),
                        new AlreadyStaged(5),
                        new Publish(4, 5),
                        new AwaitCommitted(5)),
                row("write and commit with a gap, window full", FULL, new WriteAndCommit(7), FULL, outOfSequence(6)),
                row(
                        "closed: write and commit",
                        CLOSED,
                        new WriteAndCommit(1),
                        CLOSED,
                        rejected(ErrorCode.SESSION_LOST)));
    }

    private static Stream<TableRow<State, Command, Effect>> writes() {
        return Stream.of(
                row("write the next chunk", FRESH, new Write(3), new Open(2, 2, 3, 3), new Stage(3)),
                row("write the committed chunk again", FRESH, new Write(2), FRESH, new AlreadyStaged(2)),
                row("write an old committed chunk", FRESH, new Write(1), FRESH, new AlreadyStaged(1)),
                row("write with a gap", FRESH, new Write(4), FRESH, outOfSequence(3)),
                row("write next while publishing", PUBLISHING, new Write(5), FULL, new Stage(5)),
                row("write the staged chunk again", PUBLISHING, new Write(4), PUBLISHING, new AlreadyStaged(4)),
                row("write an in-flight chunk again", PUBLISHING, new Write(3), PUBLISHING, new AlreadyStaged(3)),
                row("write with a gap while publishing", PUBLISHING, new Write(6), PUBLISHING, outOfSequence(5)),
                row("write next, window full", FULL, new Write(6), FULL, busy()),
                row("write with a gap, window full", FULL, new Write(7), FULL, outOfSequence(6)),
                row("write the last chunk again, window full", FULL, new Write(5), FULL, new AlreadyStaged(5)));
    }

    private static Stream<TableRow<State, Command, Effect>> commits() {
        return Stream.of(
                row("commit the committed chunk again", FRESH, new Commit(2), FRESH, new Committed(2)),
                row("commit an older chunk", FRESH, new Commit(1), FRESH, new Committed(2)),
                row("commit beyond staged", FRESH, new Commit(3), FRESH, outOfSequence(2)),
                row(
                        "commit part of the staged",
                        STAGED,
                        new Commit(3),
                        PUBLISHING,
                        new Publish(3, 3),
                        new AwaitCommitted(3)),
                row(
                        "commit all staged",
                        STAGED,
                        new Commit(4),
                        new Open(2, 4, 4, 3),
                        new Publish(3, 4),
                        new AwaitCommitted(4)),
                row("commit beyond staged, some staged", STAGED, new Commit(5), STAGED, outOfSequence(4)),
                row("commit committed while publishing", FULL, new Commit(2), FULL, new Committed(2)),
                row("commit the in-flight chunk again", FULL, new Commit(3), FULL, new AwaitCommitted(3)),
                row("commit the next staged", FULL, new Commit(4), IN_FLIGHT, new Publish(4, 4), new AwaitCommitted(4)),
                row(
                        "commit all, window full",
                        FULL,
                        new Commit(5),
                        new Open(2, 5, 5, 3),
                        new Publish(4, 5),
                        new AwaitCommitted(5)),
                row("commit beyond staged, window full", FULL, new Commit(6), FULL, outOfSequence(5)));
    }

    private static Stream<TableRow<State, Command, Effect>> publishEvents() {
        return Stream.of(
                row("published an old chunk late", IN_FLIGHT, new Published(1), IN_FLIGHT),
                row("published the committed chunk again", IN_FLIGHT, new Published(2), IN_FLIGHT),
                row(
                        "published part of the in-flight",
                        IN_FLIGHT,
                        new Published(3),
                        new Open(3, 4, 5, 3),
                        new Committed(3)),
                row("published all in flight", IN_FLIGHT, new Published(4), new Open(4, 4, 5, 3), new Committed(4)),
                row(
                        "published beyond the in-flight, a late ack after a rewind",
                        IN_FLIGHT,
                        new Published(5),
                        new Open(5, 5, 5, 3),
                        new Committed(5)),
                row(
                        "published the staged chunks after a rewind",
                        STAGED,
                        new Published(3),
                        new Open(3, 3, 4, 3),
                        new Committed(3)),
                row("published beyond staged", IN_FLIGHT, new Published(6), IN_FLIGHT, rejected(ErrorCode.INTERNAL)),
                row("published with nothing staged", FRESH, new Published(3), FRESH, rejected(ErrorCode.INTERNAL)),
                row("publish failed rewinds", IN_FLIGHT, new PublishFailed(), new Open(2, 2, 5, 3), new Rewound(2)),
                row("publish failed with nothing in flight", FRESH, new PublishFailed(), FRESH, new Rewound(2)));
    }

    private static Stream<TableRow<State, Command, Effect>> disposes() {
        return Stream.of(
                row("dispose a fresh session", FRESH, new Dispose(), CLOSED, new Release()),
                row("dispose while publishing", IN_FLIGHT, new Dispose(), CLOSED, new Release()),
                row("dispose a full session", FULL, new Dispose(), CLOSED, new Release()),
                row("closed: write", CLOSED, new Write(1), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: commit", CLOSED, new Commit(1), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: published", CLOSED, new Published(1), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: publish failed", CLOSED, new PublishFailed(), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: dispose again releases nothing", CLOSED, new Dispose(), CLOSED));
    }

    /** The shared table, docs/vectors/session-machines.json: the Python SDK's port is checked against it too. */
    static Stream<TableRow<State, Command, Effect>> table() {
        return SessionTables.rows("write", WriteMachine.class);
    }

    @Test
    void theSharedTableFileHoldsExactlyTheJavaTable() {
        assertThat(table().toList()).containsExactlyElementsOf(javaTable().toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void transition(TableRow<State, Command, Effect> row) {
        // Given row.state(), When row.command() is applied
        Transition<State, Effect> actual = WriteMachine.apply(row.state(), row.command());

        // Then
        row.assertMatches(actual);
    }

    @Test
    void tableCoversEveryStateAndCommandKind() {
        // Given every kind the sealed interfaces permit
        List<String> all = Arrays.stream(State.class.getPermittedSubclasses())
                .flatMap(state -> Arrays.stream(Command.class.getPermittedSubclasses())
                        .map(command -> state.getSimpleName() + "+" + command.getSimpleName()))
                .toList();

        // When the table is listed
        List<String> covered = table().map(row -> row.state().getClass().getSimpleName() + "+"
                        + row.command().getClass().getSimpleName())
                .distinct()
                .toList();

        // Then every pair has a row
        assertThat(covered).containsAll(all);
    }

    @Test
    void aFullWindowOpensOnlyWhenKafkaAcknowledges() {
        // Given a session with a window of 2, both chunks staged and the commit sent to Kafka
        List<Effect> effects = new ArrayList<>();
        State state = run(WriteMachine.initial(0, 2), effects, new Write(1), new Write(2), new Commit(2));

        // When a third chunk is written before and after Kafka acknowledges
        Transition<State, Effect> before = WriteMachine.apply(state, new Write(3));
        state = run(state, effects, new Published(2), new Write(3));

        // Then the first answer is BUSY and the second stages it
        assertThat(before.effects()).singleElement().isInstanceOf(Rejection.class);
        assertThat(((Rejection) before.effects().get(0)).code()).isEqualTo(ErrorCode.BUSY);
        assertThat(state).isEqualTo(new Open(2, 2, 3, 2));
        assertThat(effects)
                .containsExactly(
                        new Stage(1),
                        new Stage(2),
                        new Publish(1, 2),
                        new AwaitCommitted(2),
                        new Committed(2),
                        new Stage(3));
    }

    @Test
    void aFailedPublishIsPublishedAgainByTheNextCommit() {
        // Given a chunk sent to Kafka
        List<Effect> effects = new ArrayList<>();
        State state = run(WriteMachine.initial(7, 4), effects, new Write(8), new Commit(8));

        // When the publish fails and the client commits again
        state = run(state, effects, new PublishFailed(), new Commit(8), new Published(8));

        // Then the chunk is published a second time (at-least-once) and committed
        assertThat(state).isEqualTo(new Open(8, 8, 8, 4));
        assertThat(effects)
                .containsExactly(
                        new Stage(8),
                        new Publish(8, 8),
                        new AwaitCommitted(8),
                        new Rewound(7),
                        new Publish(8, 8),
                        new AwaitCommitted(8),
                        new Committed(8));
    }

    private static State run(State state, List<Effect> effects, Command... commands) {
        for (Command command : commands) {
            Transition<State, Effect> step = WriteMachine.apply(state, command);
            state = step.state();
            effects.addAll(step.effects());
        }
        return state;
    }

    private static Rejection busy() {
        return rejected(ErrorCode.BUSY, -1, WriteMachine.RETRY_AFTER_MS);
    }

    private static TableRow<State, Command, Effect> row(
            String name, State state, Command command, State next, Effect... effects) {
        return new TableRow<>(name, state, command, next, List.of(effects));
    }
}
