package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.NodeLifecycle.Closed;
import dev.switchboard.backend.NodeLifecycle.Closing;
import dev.switchboard.backend.NodeLifecycle.Command;
import dev.switchboard.backend.NodeLifecycle.Draining;
import dev.switchboard.backend.NodeLifecycle.Serving;
import dev.switchboard.backend.NodeLifecycle.Spilling;
import dev.switchboard.backend.NodeLifecycle.State;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every (state, command) pair of a backend node's life: it only goes forward, and a close begins once. */
class NodeLifecycleTest {
    static Stream<Arguments> table() {
        return Stream.of(
                row(new Serving(), Command.DRAIN, new Draining()),
                row(new Serving(), Command.CLOSE, new Closing()),
                row(new Serving(), Command.SPILL, new Serving()),
                row(new Serving(), Command.FINISH, new Serving()),
                row(new Draining(), Command.DRAIN, new Draining()),
                row(new Draining(), Command.CLOSE, new Closing()),
                row(new Draining(), Command.SPILL, new Draining()),
                row(new Draining(), Command.FINISH, new Draining()),
                row(new Closing(), Command.DRAIN, new Closing()),
                row(new Closing(), Command.CLOSE, new Closing()), // a second close does nothing
                row(new Closing(), Command.SPILL, new Spilling()),
                row(new Closing(), Command.FINISH, new Closed()),
                row(new Spilling(), Command.DRAIN, new Spilling()),
                row(new Spilling(), Command.CLOSE, new Spilling()),
                row(new Spilling(), Command.SPILL, new Spilling()),
                row(new Spilling(), Command.FINISH, new Closed()),
                row(new Closed(), Command.DRAIN, new Closed()),
                row(new Closed(), Command.CLOSE, new Closed()),
                row(new Closed(), Command.SPILL, new Closed()),
                row(new Closed(), Command.FINISH, new Closed()));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @MethodSource("table")
    void movesAsTheTableSays(State from, Command command, State to) {
        State next = NodeLifecycle.apply(from, command);

        assertThat(next).isEqualTo(to);
        if (next.equals(from)) {
            assertThat(next).as("staying keeps the same state object").isSameAs(from);
        }
    }

    @Test
    void closingShowsAsDrainingAndTheGaugeOnlyGoesUp() {
        assertThat(new Closing().shown()).isEqualTo(DrainState.DRAINING);
        assertThat(Stream.of(new Serving(), new Draining(), new Closing(), new Spilling(), new Closed())
                        .map(state -> state.shown().code()))
                .isSorted();
    }

    private static Arguments row(State from, Command command, State to) {
        return Arguments.of(from, command, to);
    }
}
