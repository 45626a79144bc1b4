package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.AbortConnection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.CloseConnection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Effect;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.HandlerLost;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.RetryAfter;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.SetUpConnection;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.State;
import dev.switchboard.switching.amqp.internal.ConnectionLifecycle.Step;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
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
 * <p>Implementation notes: the life is {@link ConnectionLifecycle}, a pure machine, held in one
 * {@link AtomicReference} and moved by compare-and-set, so a shutdown racing {@link #close()} or a stale
 * connection's late shutdown signal changes nothing; the thread whose step won runs its effects. Attempts run on
 * the executor (they block on the network), delays on the scheduler.
 */
public final class ShardConnection implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ShardConnection.class);

    /** What a fresh connection carries. */
    public interface Handler {
        /** Sets up channels, objects and consumers; an exception drops the connection, which is retried. */
        void opened(Connection connection) throws IOException;

        /** The connection {@link #opened} was (or was being) set up on is gone; a new one is on its way. */
        void lost();
    }

    private final String shard;
    private final String name;
    private final ConnectionFactory factory;
    private final Handler handler;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final AtomicReference<State> state = new AtomicReference<>(ConnectionLifecycle.INITIAL);

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
        return current() instanceof ConnectionLifecycle.Open open
                && open.connection().isOpen();
    }

    /** Drops the open connection, if any, so that a fresh one is set up from scratch. */
    public void reopen() {
        run(step(new ConnectionLifecycle.Reopen()).effects());
    }

    /** Closes the connection for good; no more attempts. */
    @Override
    public void close() {
        List<Effect> effects = step(new ConnectionLifecycle.Close()).effects();
        run(effects);
        if (!effects.isEmpty()) {
            LOGGER.info("AMQP connection closed shard={} connection={}", shard, name);
        }
    }

    private void attempt() {
        if (!(current() instanceof ConnectionLifecycle.Waiting waiting)) {
            return;
        }
        Connection connection;
        try {
            connection = factory.newConnection(name);
        } catch (IOException | TimeoutException e) {
            logFailure(waiting.failures(), "cannot connect", e);
            run(step(new ConnectionLifecycle.ConnectFailed()).effects());
            return;
        }
        run(step(new ConnectionLifecycle.Connected(connection)).effects());
    }

    /** Runs on the thread whose step asked for it, after the state changed. */
    private void setUp(Connection connection, int failures) {
        // Registered after the state change: a connection already dead by now is reported at once.
        connection.addShutdownListener(cause -> onShutdown(connection, cause));
        try {
            handler.opened(connection);
        } catch (IOException | RuntimeException e) {
            logFailure(failures, "cannot set up the connection", e);
            run(step(new ConnectionLifecycle.SetUpFailed(connection)).effects());
            return;
        }
        if (step(new ConnectionLifecycle.SetUp(connection)).state() instanceof ConnectionLifecycle.Open open
                && open.connection() == connection) {
            LOGGER.info("AMQP connection open shard={} connection={}", shard, name);
        }
    }

    private void onShutdown(Connection connection, ShutdownSignalException cause) {
        List<Effect> effects =
                step(new ConnectionLifecycle.ShutDown(connection)).effects();
        for (Effect effect : effects) {
            if (effect instanceof HandlerLost lost && lost.wasOpen()) {
                LOGGER.warn("AMQP connection lost shard={} connection={} cause={}", shard, name, cause.getMessage());
            }
        }
        run(effects);
    }

    /** The life now (the reference is never empty). */
    private State current() {
        return Objects.requireNonNull(state.get());
    }

    /** Moves the life one step (atomically, from any thread); the step this thread made, its effects to run. */
    private Step step(ConnectionLifecycle.Event event) {
        while (true) {
            State current = current();
            Step step = ConnectionLifecycle.apply(current, event);
            if (step.state() == current || state.compareAndSet(current, step.state())) {
                return step;
            }
        }
    }

    private void run(List<Effect> effects) {
        for (Effect effect : effects) {
            switch (effect) {
                case SetUpConnection setUp -> setUp(setUp.connection(), setUp.failures());
                case CloseConnection close -> closeQuietly(close.connection());
                case AbortConnection abort -> abort.connection().abort(1_000);
                // also while opening: the handler may have set up part of its state on this connection already
                case HandlerLost lost -> handler.lost();
                case RetryAfter retry -> retryLater(retry);
            }
        }
    }

    private void retryLater(RetryAfter retry) {
        try {
            scheduler.schedule(
                    () -> executor.execute(this::attempt), retry.delay().toMillis(), TimeUnit.MILLISECONDS);
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
