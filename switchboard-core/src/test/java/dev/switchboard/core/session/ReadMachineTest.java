package dev.switchboard.core.session;

import static dev.switchboard.core.session.TableRow.outOfSequence;
import static dev.switchboard.core.session.TableRow.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.session.ReadMachine.Ack;
import dev.switchboard.core.session.ReadMachine.AckAndRead;
import dev.switchboard.core.session.ReadMachine.Acknowledged;
import dev.switchboard.core.session.ReadMachine.Closed;
import dev.switchboard.core.session.ReadMachine.Command;
import dev.switchboard.core.session.ReadMachine.Deliver;
import dev.switchboard.core.session.ReadMachine.Delivered;
import dev.switchboard.core.session.ReadMachine.Dispose;
import dev.switchboard.core.session.ReadMachine.Effect;
import dev.switchboard.core.session.ReadMachine.Fetch;
import dev.switchboard.core.session.ReadMachine.Fetched;
import dev.switchboard.core.session.ReadMachine.Idle;
import dev.switchboard.core.session.ReadMachine.Read;
import dev.switchboard.core.session.ReadMachine.Redeliver;
import dev.switchboard.core.session.ReadMachine.Release;
import dev.switchboard.core.session.ReadMachine.State;
import dev.switchboard.protocol.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The read machine's transition table: every (state kind, command kind) pair, with the seq edge cases. */
class ReadMachineTest {
    private static final Idle IDLE = new Idle(3);
    private static final Delivered DELIVERED = new Delivered(4);
    private static final Closed CLOSED = new Closed();

    /** The table as the Java tests hold it; the shared file must hold exactly these rows. */
    static Stream<TableRow<State, Command, Effect>> javaTable() {
        return Stream.of(
                // Idle(3): the next batch is 4
                row("idle: read the next batch fetches it", IDLE, new Read(4), IDLE, new Fetch(4)),
                row("idle: read an acknowledged batch", IDLE, new Read(3), IDLE, outOfSequence(4)),
                row("idle: read beyond the next batch", IDLE, new Read(5), IDLE, outOfSequence(4)),
                row("idle: fetched the asked batch", IDLE, new Fetched(4), DELIVERED, new Deliver(4)),
                row("idle: fetched an old batch", IDLE, new Fetched(3), IDLE, rejected(ErrorCode.INTERNAL)),
                row("idle: fetched a future batch", IDLE, new Fetched(5), IDLE, rejected(ErrorCode.INTERNAL)),
                row("idle: ack repeated", IDLE, new Ack(3), IDLE, new Acknowledged(3)),
                row("idle: ack older than the last", IDLE, new Ack(1), IDLE, new Acknowledged(3)),
                row("idle: ack a batch not delivered", IDLE, new Ack(4), IDLE, outOfSequence(4)),
                row("idle: dispose", IDLE, new Dispose(), CLOSED, new Release()),
                // a fresh session
                row("initial: read 1", new Idle(0), new Read(1), new Idle(0), new Fetch(1)),
                row("initial: read 0", new Idle(0), new Read(0), new Idle(0), outOfSequence(1)),
                row("initial: ack 0", new Idle(0), new Ack(0), new Idle(0), new Acknowledged(0)),
                row("initial: ack 1", new Idle(0), new Ack(1), new Idle(0), outOfSequence(1)),
                // Delivered(4): batch 4 is out, batch 3 is the last acknowledged
                row("delivered: read it again", DELIVERED, new Read(4), DELIVERED, new Redeliver(4)),
                row("delivered: read an older batch", DELIVERED, new Read(3), DELIVERED, outOfSequence(4)),
                row("delivered: read the next before ack", DELIVERED, new Read(5), DELIVERED, outOfSequence(4)),
                row("delivered: ack it", DELIVERED, new Ack(4), new Idle(4), new Acknowledged(4)),
                row("delivered: ack the previous again", DELIVERED, new Ack(3), DELIVERED, new Acknowledged(3)),
                row("delivered: ack older", DELIVERED, new Ack(1), DELIVERED, new Acknowledged(3)),
                row("delivered: ack beyond it", DELIVERED, new Ack(5), DELIVERED, outOfSequence(4)),
                row("delivered: fetched again", DELIVERED, new Fetched(4), DELIVERED, rejected(ErrorCode.INTERNAL)),
                row("delivered: fetched next", DELIVERED, new Fetched(5), DELIVERED, rejected(ErrorCode.INTERNAL)),
                row("delivered: dispose", DELIVERED, new Dispose(), CLOSED, new Release()),
                // Closed: nothing but a harmless repeated dispose
                row("closed: read", CLOSED, new Read(1), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: ack", CLOSED, new Ack(1), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: fetched", CLOSED, new Fetched(1), CLOSED, rejected(ErrorCode.SESSION_LOST)),
                row("closed: dispose again releases nothing", CLOSED, new Dispose(), CLOSED),
                // the ack riding on a read: Ack then Read, all or nothing
                row(
                        "delivered: ack riding on the next read",
                        DELIVERED,
                        new AckAndRead(4, 5),
                        new Idle(4),
                        new Acknowledged(4),
                        new Fetch(5)),
                row(
                        "delivered: a retried ride after its batch was delivered",
                        DELIVERED,
                        new AckAndRead(3, 4),
                        DELIVERED,
                        new Acknowledged(3),
                        new Redeliver(4)),
                row(
                        "delivered: ack riding on a read of the same batch",
                        DELIVERED,
                        new AckAndRead(4, 4),
                        DELIVERED,
                        outOfSequence(5)),
                row("delivered: ack riding beyond it", DELIVERED, new AckAndRead(5, 6), DELIVERED, outOfSequence(4)),
                row(
                        "delivered: ack riding on a read with a gap",
                        DELIVERED,
                        new AckAndRead(4, 6),
                        DELIVERED,
                        outOfSequence(5)),
                row(
                        "idle: a retried ride after an empty answer",
                        IDLE,
                        new AckAndRead(3, 4),
                        IDLE,
                        new Acknowledged(3),
                        new Fetch(4)),
                row("idle: ack riding for a batch not delivered", IDLE, new AckAndRead(4, 5), IDLE, outOfSequence(4)),
                row("idle: ack riding on a read with a gap", IDLE, new AckAndRead(3, 5), IDLE, outOfSequence(4)),
                row(
                        "initial: ack 0 riding on read 1",
                        new Idle(0),
                        new AckAndRead(0, 1),
                        new Idle(0),
                        new Acknowledged(0),
                        new Fetch(1)),
                row(
                        "closed: ack riding on a read",
                        CLOSED,
                        new AckAndRead(1, 2),
                        CLOSED,
                        rejected(ErrorCode.SESSION_LOST)));
    }

    /** The shared table, docs/vectors/session-machines.json: the Python SDK's port is checked against it too. */
    static Stream<TableRow<State, Command, Effect>> table() {
        return SessionTables.rows("read", ReadMachine.class);
    }

    @Test
    void theSharedTableFileHoldsExactlyTheJavaTable() {
        assertThat(table().toList()).containsExactlyElementsOf(javaTable().toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void transition(TableRow<State, Command, Effect> row) {
        // Given row.state(), When row.command() is applied
        Transition<State, Effect> actual = ReadMachine.apply(row.state(), row.command());

        // Then
        row.assertMatches(actual);
    }

    @Test
    void tableCoversEveryStateAndCommandKind() {
        // Given every kind the sealed interfaces permit
        Stream<String> all = Arrays.stream(State.class.getPermittedSubclasses())
                .flatMap(state -> Arrays.stream(Command.class.getPermittedSubclasses())
                        .map(command -> state.getSimpleName() + "+" + command.getSimpleName()));

        // When the table is listed
        List<String> covered = table().map(row -> row.state().getClass().getSimpleName() + "+"
                        + row.command().getClass().getSimpleName())
                .distinct()
                .collect(Collectors.toList());

        // Then every pair has a row
        assertThat(covered).containsAll(all.toList());
    }

    @Test
    void aSessionReadsRetriesAndAcknowledges() {
        // Given a fresh session
        State state = ReadMachine.initial();

        // When a client reads, gets an empty long poll, reads again, retries and acknowledges
        List<Effect> effects = new java.util.ArrayList<>();
        for (Command command :
                List.of(new Read(1), new Read(1), new Fetched(1), new Read(1), new Ack(1), new Ack(1), new Read(2))) {
            Transition<State, Effect> step = ReadMachine.apply(state, command);
            state = step.state();
            effects.addAll(step.effects());
        }

        // Then the empty poll consumed no sequence number and the retry got the same batch
        assertThat(state).isEqualTo(new Idle(1));
        assertThat(effects)
                .containsExactly(
                        new Fetch(1),
                        new Fetch(1),
                        new Deliver(1),
                        new Redeliver(1),
                        new Acknowledged(1),
                        new Acknowledged(1),
                        new Fetch(2));
    }

    @Test
    void statesExposeTheirSequenceNumbers() {
        assertThat(new Idle(7).nextSeq()).isEqualTo(8);
        assertThat(new Delivered(7).ackedSeq()).isEqualTo(6);
        assertThat(ReadMachine.initial()).isEqualTo(new Idle(0));
    }

    private static TableRow<State, Command, Effect> row(
            String name, State state, Command command, State next, Effect... effects) {
        return new TableRow<>(name, state, command, next, List.of(effects));
    }
}
