package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.Connection;
import java.time.Duration;
import java.util.List;

/**
 * A {@link ShardConnection}'s life as one pure transition function. The I/O (opening a connection, the handler's
 * set-up, closing) happens at the edge, in the shard connection: events carry its results in, effects say what to
 * do next. A connection in an event that is not the state's own is stale (an older connection's late signal), and
 * changes nothing.
 *
 * <pre>
 *   Waiting --Connected--> Opening --SetUp--> Open
 *      ^  \--ConnectFailed--> Waiting(+1)     |
 *      +------------- ShutDown ----------------+      (from Opening: failures + 1; from Open: failures 0)
 *   any --Close--> Closed
 * </pre>
 */
final class ConnectionLifecycle {
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(2);

    private ConnectionLifecycle() {}

    sealed interface State {}

    /** No connection; the next attempt is due (after {@code failures} failed ones in a row). */
    record Waiting(int failures) implements State {}

    /** {@code connection} is open and the handler sets it up. */
    record Opening(Connection connection, int failures) implements State {}

    /** {@code connection} is open and set up. */
    record Open(Connection connection) implements State {}

    /** Closed for good: no more attempts. */
    record Closed() implements State {}

    static final State INITIAL = new Waiting(0);

    sealed interface Event {}

    /** An attempt opened {@code connection}. */
    record Connected(Connection connection) implements Event {}

    /** An attempt could not open a connection. */
    record ConnectFailed() implements Event {}

    /** The handler set up {@code connection}. */
    record SetUp(Connection connection) implements Event {}

    /** The handler could not set up {@code connection}. */
    record SetUpFailed(Connection connection) implements Event {}

    /** {@code connection} shut down (broker, network, or our own close or abort). */
    record ShutDown(Connection connection) implements Event {}

    /** Drop the open connection so that a fresh one is set up from scratch. */
    record Reopen() implements Event {}

    record Close() implements Event {}

    sealed interface Effect {}

    /** Have the handler set up {@code connection}, after {@code failures} failed attempts in a row. */
    record SetUpConnection(Connection connection, int failures) implements Effect {}

    /** Close {@code connection} (its shutdown, if it was this state's own, comes back as {@link ShutDown}). */
    record CloseConnection(Connection connection) implements Effect {}

    /** Abort {@code connection}: a fresh one follows through {@link ShutDown}. */
    record AbortConnection(Connection connection) implements Effect {}

    /** The handler's set-up on {@code connection} is gone (also when it was only being set up). */
    record HandlerLost(Connection connection, boolean wasOpen) implements Effect {}

    /** Attempt again after {@code delay}. */
    record RetryAfter(Duration delay) implements Effect {}

    record Step(State state, List<Effect> effects) {
        Step(State state, Effect... effects) {
            this(state, List.of(effects));
        }
    }

    static Step apply(State state, Event event) {
        if (event instanceof Close) {
            return switch (state) {
                case Open open -> new Step(new Closed(), new CloseConnection(open.connection()));
                case Opening opening -> new Step(new Closed(), new CloseConnection(opening.connection()));
                case Waiting waiting -> new Step(new Closed());
                case Closed closed -> new Step(closed);
            };
        }
        return switch (state) {
            case Waiting waiting -> onWaiting(waiting, event);
            case Opening opening -> onOpening(opening, event);
            case Open open -> onOpen(open, event);
            case Closed closed ->
                switch (event) {
                    // closed while the attempt ran: the new connection is not wanted
                    case Connected connected -> new Step(closed, new CloseConnection(connected.connection()));
                    default -> new Step(closed);
                };
        };
    }

    private static Step onWaiting(Waiting waiting, Event event) {
        return switch (event) {
            case Connected connected ->
                new Step(
                        new Opening(connected.connection(), waiting.failures()),
                        new SetUpConnection(connected.connection(), waiting.failures()));
            case ConnectFailed failed -> retry(waiting.failures() + 1);
            // a connection that is not the state's own: stale; an unexpected one is closed, not kept
            case SetUpFailed setUpFailed -> new Step(waiting, new CloseConnection(setUpFailed.connection()));
            default -> new Step(waiting);
        };
    }

    private static Step onOpening(Opening opening, Event event) {
        Connection own = opening.connection();
        return switch (event) {
            case SetUp setUp when setUp.connection() == own -> new Step(new Open(own));
            // the shutdown listener schedules the retry
            case SetUpFailed setUpFailed -> new Step(opening, new CloseConnection(setUpFailed.connection()));
            case ShutDown shutDown when shutDown.connection() == own -> lost(own, false, opening.failures() + 1);
            case Connected connected -> new Step(opening, new CloseConnection(connected.connection()));
            default -> new Step(opening);
        };
    }

    private static Step onOpen(Open open, Event event) {
        Connection own = open.connection();
        return switch (event) {
            case ShutDown shutDown when shutDown.connection() == own -> lost(own, true, 0);
            case Reopen reopen -> new Step(open, new AbortConnection(own));
            case SetUpFailed setUpFailed -> new Step(open, new CloseConnection(setUpFailed.connection()));
            case Connected connected -> new Step(open, new CloseConnection(connected.connection()));
            default -> new Step(open);
        };
    }

    private static Step lost(Connection connection, boolean wasOpen, int failures) {
        Step retry = retry(failures);
        return new Step(
                retry.state(),
                new HandlerLost(connection, wasOpen),
                retry.effects().getFirst());
    }

    private static Step retry(int failures) {
        return new Step(new Waiting(failures), new RetryAfter(delay(failures)));
    }

    /** Exponential back-off: {@link #FIRST_RETRY} doubled per failure, at most {@link #MAX_RETRY}. */
    static Duration delay(int failures) {
        return Duration.ofMillis(Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(failures, 10)));
    }
}
