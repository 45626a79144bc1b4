package dev.switchboard.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.session.ReadDelivery.Ended;
import dev.switchboard.core.session.ReadDelivery.Holding;
import dev.switchboard.core.session.ReadDelivery.State;
import dev.switchboard.core.session.ReadDelivery.Waiting;
import dev.switchboard.core.session.ReadMachine.Command;
import dev.switchboard.core.session.ReadMachine.Effect;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The delivery machine is the read machine with the batch in its state: the same table, and the batch kept. */
class ReadDeliveryTest {
    private static final State<String> WAITING = new Waiting<>(new ReadMachine.Idle(3));
    private static final State<String> HOLDING = new Holding<>(new ReadMachine.Delivered(4), "batch 4");
    private static final State<String> ENDED = new Ended<>(new ReadMachine.Closed());

    static Stream<Object[]> everyClientCommand() {
        List<Command> commands = List.of(
                new ReadMachine.Read(3),
                new ReadMachine.Read(4),
                new ReadMachine.Read(5),
                new ReadMachine.Ack(3),
                new ReadMachine.Ack(4),
                new ReadMachine.Ack(5),
                new ReadMachine.AckAndRead(4, 5),
                new ReadMachine.AckAndRead(3, 4),
                new ReadMachine.AckAndRead(4, 4),
                new ReadMachine.AckAndRead(3, 5),
                new ReadMachine.Dispose());
        return Stream.of(WAITING, HOLDING, ENDED)
                .flatMap(state -> commands.stream().map(command -> new Object[] {state, command}));
    }

    @ParameterizedTest
    @MethodSource("everyClientCommand")
    void movesAsTheReadMachineDoes(State<String> state, Command command) {
        Transition<ReadMachine.State, Effect> machine = ReadMachine.apply(state.machine(), command);

        Transition<State<String>, Effect> delivery = ReadDelivery.apply(state, command);

        assertThat(delivery.state().machine()).isEqualTo(machine.state());
        assertThat(delivery.effects()).isEqualTo(machine.effects());
    }

    @Test
    void aFetchedBatchIsHeldUntilItsAck() {
        Transition<State<String>, Effect> fetched = ReadDelivery.fetched(WAITING, 4, "batch 4");

        assertThat(fetched.state()).isEqualTo(HOLDING);
        assertThat(fetched.effects()).containsExactly(new ReadMachine.Deliver(4));
        assertThat(ReadDelivery.apply(fetched.state(), new ReadMachine.Read(4)).state())
                .isEqualTo(HOLDING);
        assertThat(ReadDelivery.apply(fetched.state(), new ReadMachine.Ack(3)).state())
                .isEqualTo(HOLDING);
        assertThat(ReadDelivery.apply(fetched.state(), new ReadMachine.Ack(4)).state())
                .isEqualTo(new Waiting<String>(new ReadMachine.Idle(4)));
    }

    @Test
    void aBatchFetchedWhileOneIsHeldIsRefusedAndTheHeldOneStays() {
        Transition<State<String>, Effect> again = ReadDelivery.fetched(HOLDING, 4, "another");

        assertThat(again.state()).isSameAs(HOLDING);
        assertThat(again.effects()).singleElement().isInstanceOf(Rejection.class);
    }

    @Test
    void aFetchedBatchEntersOnlyWithItsBatch() {
        assertThatThrownBy(() -> ReadDelivery.apply(WAITING, new ReadMachine.Fetched(4)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ReadDelivery.<String>initial()).isEqualTo(new Waiting<String>(new ReadMachine.Idle(0)));
    }
}
