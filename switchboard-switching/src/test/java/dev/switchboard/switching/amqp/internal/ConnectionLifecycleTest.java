package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Connection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.AbortConnection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Close;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.CloseConnection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Closed;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.ConnectFailed;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Connected;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Effect;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Event;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.HandlerLost;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Open;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Opening;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Reopen;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.RetryAfter;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.SetUp;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.SetUpConnection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.SetUpFailed;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.ShutDown;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.State;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Step;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Waiting;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (state, event) pair of a shard connection's life. The machine only compares connections by identity and
 * hands them back in effects, so the connections here are inert placeholders that fail if anything calls them.
 */
class ConnectionLifecycleTest {
    private static final Connection OWN = placeholder("own");
    /** An older or unwanted connection: not the state's own. */
    private static final Connection OTHER = placeholder("other");

    private static final Waiting WAITING = new Waiting(2);
    private static final Opening OPENING = new Opening(OWN, 2);
    private static final Open OPEN = new Open(OWN);
    private static final Closed CLOSED = new Closed();

    static Stream<Arguments> table() {
        return Stream.of(
                row(WAITING, new Connected(OWN), OPENING, new SetUpConnection(OWN, 2)),
                row(WAITING, new ConnectFailed(), new Waiting(3), new RetryAfter(Duration.ofMillis(800))),
                row(WAITING, new SetUp(OTHER), WAITING), // stale: it shut down while being set up
                row(WAITING, new SetUpFailed(OTHER), WAITING, new CloseConnection(OTHER)),
                row(WAITING, new ShutDown(OTHER), WAITING), // an older connection's late signal
                row(WAITING, new Reopen(), WAITING),
                row(WAITING, new Close(), CLOSED),
                row(OPENING, new Connected(OTHER), OPENING, new CloseConnection(OTHER)),
                row(OPENING, new ConnectFailed(), OPENING),
                row(OPENING, new SetUp(OWN), OPEN),
                row(OPENING, new SetUpFailed(OWN), OPENING, new CloseConnection(OWN)), // its shutdown retries
                row(
                        OPENING,
                        new ShutDown(OWN),
                        new Waiting(3),
                        new HandlerLost(OWN, false),
                        new RetryAfter(Duration.ofMillis(800))),
                row(OPENING, new Reopen(), OPENING),
                row(OPENING, new Close(), CLOSED, new CloseConnection(OWN)),
                row(OPEN, new Connected(OTHER), OPEN, new CloseConnection(OTHER)),
                row(OPEN, new ConnectFailed(), OPEN),
                row(OPEN, new SetUp(OWN), OPEN),
                row(OPEN, new SetUpFailed(OTHER), OPEN, new CloseConnection(OTHER)),
                row(
                        OPEN,
                        new ShutDown(OWN),
                        new Waiting(0),
                        new HandlerLost(OWN, true),
                        new RetryAfter(Duration.ofMillis(100))),
                row(OPEN, new Reopen(), OPEN, new AbortConnection(OWN)),
                row(OPEN, new Close(), CLOSED, new CloseConnection(OWN)),
                // closed while an attempt ran: the connection it opened is not wanted
                row(CLOSED, new Connected(OTHER), CLOSED, new CloseConnection(OTHER)),
                row(CLOSED, new ConnectFailed(), CLOSED),
                row(CLOSED, new SetUp(OWN), CLOSED),
                row(CLOSED, new SetUpFailed(OWN), CLOSED), // the close closed it
                row(CLOSED, new ShutDown(OWN), CLOSED), // our own close: no retry
                row(CLOSED, new Reopen(), CLOSED),
                row(CLOSED, new Close(), CLOSED));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} / {3}")
    @MethodSource("table")
    void movesAsTheTableSays(State from, Event event, State to, List<Effect> effects) {
        Step step = ConnectionLifecycle.apply(from, event);

        assertThat(step.state()).isEqualTo(to);
        assertThat(step.effects()).isEqualTo(effects);
    }

    @Test
    void theTableWalksEveryStateWithEveryEvent() {
        Set<List<Class<?>>> walked = new HashSet<>();
        table().forEach(row -> walked.add(List.of(row.get()[0].getClass(), row.get()[1].getClass())));

        assertThat(walked)
                .hasSize(State.class.getPermittedSubclasses().length * Event.class.getPermittedSubclasses().length);
    }

    @ParameterizedTest(name = "stale {0}")
    @MethodSource("staleSignals")
    void anotherConnectionsSignalChangesNothing(State from, Event event) {
        assertThat(ConnectionLifecycle.apply(from, event).state()).isSameAs(from);
    }

    static Stream<Arguments> staleSignals() {
        return Stream.of(
                Arguments.of(OPENING, new SetUp(OTHER)),
                Arguments.of(OPENING, new ShutDown(OTHER)),
                Arguments.of(OPEN, new ShutDown(OTHER)),
                Arguments.of(OPEN, new SetUp(OTHER)));
    }

    @Test
    void retriesBackOffExponentiallyUpToTheMaximum() {
        assertThat(List.of(0, 1, 2, 3, 4, 5, 30))
                .extracting(ConnectionLifecycle::delay)
                .containsExactly(
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofMillis(400),
                        Duration.ofMillis(800),
                        Duration.ofMillis(1600),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2));
    }

    private static Arguments row(State from, Event event, State to, Effect... effects) {
        return Arguments.of(from, event, to, List.of(effects));
    }

    private static Connection placeholder(String name) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("toString")) {
                        return name;
                    }
                    if (method.getName().equals("hashCode")) {
                        return System.identityHashCode(proxy);
                    }
                    if (method.getName().equals("equals")) {
                        return proxy == args[0];
                    }
                    throw new AssertionError("the machine called " + method.getName());
                });
    }
}
