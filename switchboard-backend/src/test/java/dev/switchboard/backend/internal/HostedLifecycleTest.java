package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.internal.HostedLifecycle.Command;
import dev.switchboard.backend.internal.HostedLifecycle.Dispose;
import dev.switchboard.backend.internal.HostedLifecycle.Disposed;
import dev.switchboard.backend.internal.HostedLifecycle.Effect;
import dev.switchboard.backend.internal.HostedLifecycle.Park;
import dev.switchboard.backend.internal.HostedLifecycle.Parked;
import dev.switchboard.backend.internal.HostedLifecycle.Request;
import dev.switchboard.backend.internal.HostedLifecycle.Serving;
import dev.switchboard.backend.internal.HostedLifecycle.State;
import dev.switchboard.backend.internal.HostedLifecycle.Step;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every (state, command) pair of a hosted session's life on its node. */
class HostedLifecycleTest {
    static Stream<Arguments> table() {
        return Stream.of(
                row(new Serving(), new Request(), new Serving(), null),
                row(new Serving(), new Park(), new Parked(), Effect.PARK),
                row(new Serving(), new Dispose(), new Disposed(), Effect.RELEASE),
                row(new Parked(), new Request(), new Serving(), null),
                row(new Parked(), new Park(), new Parked(), null), // parked once: nothing to release again
                row(new Parked(), new Dispose(), new Disposed(), Effect.RELEASE),
                row(new Disposed(), new Request(), new Disposed(), null),
                row(new Disposed(), new Park(), new Disposed(), null),
                row(new Disposed(), new Dispose(), new Disposed(), null)); // released once
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} / {3}")
    @MethodSource("table")
    void movesAsTheTableSays(State from, Command command, State to, Effect effect) {
        Step step = HostedLifecycle.apply(from, command);

        assertThat(step.state()).isEqualTo(to);
        assertThat(step.effect()).isEqualTo(Optional.ofNullable(effect));
    }

    private static Arguments row(State from, Command command, State to, Effect effect) {
        return Arguments.of(from, command, to, effect);
    }
}
