package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP connection to one shard broker, kept up: when it drops (broker restart, network) it is opened again
 * with exponential back-off, and the {@link Handler} sets up its channels afresh. The client library's own
 * automatic recovery is off, so the handler alone decides what a fresh connection carries (a draining node does
 * not consume allocations again).
 *
 * <pre>
 *   WAITING --attempt ok--> OPENING --handler ok--> OPEN
 *      ^                       |                      |
 *      +------ shut down ------+------ shut down -----+      any --close()--> CLOSED
 * </pre>
 *
 * <p>Implementation notes: the state is one {@link AtomicReference}; every transition is a compare-and-set, so
 * a shutdown racing {@link #close()} or a stale connection's late shutdown signal changes nothing. Attempts run
 * on the executor (they block on the network), delays on the scheduler.
 */
public final class ShardConnection implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ShardConnection.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(2);

    /** What a fresh connection carries. */
    public interface Handler {
        /** Sets up channels, objects and consumers; an exception drops the connection, which is retried. */
        void opened(Connection connection) throws IOException;

        /** The connection {@link #opened} was (or was being) set up on is gone; a new one is on its way. */
        void lost();
    }

    private sealed interface State permits Waiting, Opening, Open, Closed {}

    private record Waiting(int failures) implements State {}

    private record Opening(Connection connection, int failures) implements State {}

    private record Open(Connection connection) implements State {}

    private record Closed() implements State {}

    private final String shard;
    private final String name;
    private final ConnectionFactory factory;
    private final Handler handler;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final AtomicReference<State> state = new AtomicReference<>(new Waiting(0));

    public ShardConnection(
            String shard,
            String name,
            ConnectionFactory factory,
            Handler handler,
            ScheduledExecutorService scheduler,
            Executor executor) {
        this.shard = shard;
        this.name = name;
        this.factory = factory;
        this.handler = handler;
        this.scheduler = scheduler;
        this.executor = executor;
    }

    /** Makes the first attempt on the calling thread; when it fails, attempts go on in the background. */
    public void connect() {
        attempt();
    }

    public boolean isOpen() {
        return state.get() instanceof Open open && open.connection().isOpen();
    }

    /** Drops the open connection, if any, so that a fresh one is set up from scratch. */
    public void reopen() {
        if (state.get() instanceof Open open) {
            open.connection().abort(1_000);
        }
    }

    /** Closes the connection for good; no more attempts. */
    @Override
    public void close() {
        State previous = state.getAndSet(new Closed());
        Connection connection = switch (previous) {
            case Open open -> open.connection();
            case Opening opening -> opening.connection();
            case Waiting waiting -> null;
            case Closed closed -> null;
        };
        if (connection != null) {
            closeQuietly(connection);
            LOGGER.info("AMQP connection closed shard={} connection={}", shard, name);
        }
    }

    private void attempt() {
        if (!(state.get() instanceof Waiting waiting)) {
            return;
        }
        Connection connection;
        try {
            connection = factory.newConnection(name);
        } catch (IOException | TimeoutException e) {
            logFailure(waiting.failures(), "cannot connect", e);
            Waiting next = new Waiting(waiting.failures() + 1);
            if (state.compareAndSet(waiting, next)) {
                retryLater(next);
            }
            return;
        }
        if (!state.compareAndSet(waiting, new Opening(connection, waiting.failures()))) {
            closeQuietly(connection); // closed meanwhile
            return;
        }
        // Registered after the state change: a connection already dead by now is reported at once.
        connection.addShutdownListener(cause -> onShutdown(connection, cause));
        try {
            handler.opened(connection);
        } catch (IOException | RuntimeException e) {
            logFailure(waiting.failures(), "cannot set up the connection", e);
            closeQuietly(connection); // the shutdown listener schedules the retry
            return;
        }
        State current = state.get();
        if (current instanceof Opening opening
                && opening.connection() == connection
                && state.compareAndSet(current, new Open(connection))) {
            LOGGER.info("AMQP connection open shard={} connection={}", shard, name);
        }
    }

    private void onShutdown(Connection connection, ShutdownSignalException cause) {
        State current = state.get();
        int failures;
        boolean wasOpen;
        if (current instanceof Open open && open.connection() == connection) {
            failures = 0;
            wasOpen = true;
        } else if (current instanceof Opening opening && opening.connection() == connection) {
            failures = opening.failures() + 1;
            wasOpen = false;
        } else {
            return; // closed by us, or an older connection
        }
        Waiting next = new Waiting(failures);
        if (!state.compareAndSet(current, next)) {
            return;
        }
        if (wasOpen) {
            LOGGER.warn("AMQP connection lost shard={} connection={} cause={}", shard, name, cause.getMessage());
        }
        // Also while opening: the handler may have set up part of its state on this connection already.
        handler.lost();
        retryLater(next);
    }

    private void retryLater(Waiting waiting) {
        long delay = Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(waiting.failures(), 10));
        try {
            scheduler.schedule(() -> executor.execute(this::attempt), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOGGER.debug("not reconnecting: the switch is closing shard={}", shard);
        }
    }

    private void logFailure(int failures, String what, Exception e) {
        if (failures == 0) {
            LOGGER.warn("{} shard={} connection={} cause={}; retrying", what, shard, name, e.toString());
        } else {
            LOGGER.debug("{} shard={} connection={} failures={} cause={}", what, shard, name, failures, e.toString());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(1_000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1_000);
        }
    }
}
