package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's {@code header-timeout} on its HTTP connections: a request head (request line and headers) that has not
 * been read whole within the timeout of its first byte gets its connection closed, however steadily its bytes
 * arrive. Jetty 12 has no such limit: its idle timeout only bounds the silence between two reads, so a client
 * sending a header byte every few seconds holds a connection (and its slot under {@code max-connections}) forever.
 *
 * <p>How: registered on the connector as a {@link Connection.Listener}, it keeps the node's open HTTP/1 connections
 * (behind TLS too: the listener is told of the connection under the TLS one) in a set bounded by
 * {@code max-connections}, and a sweep every {@link #sweepPeriod} asks each connection's parser whether it is
 * inside a head ({@link HttpParser#inHeaderState()}, past {@code START}) and since when
 * ({@link HttpParser#getBeginNanoTime()}, the head's first byte, in Jetty's own monotonic time). The read is racy
 * (the parser belongs to the connection's thread), which costs at most one sweep of lateness.
 */
public final class HeaderTimeouts extends AbstractLifeCycle implements Connection.Listener {
    private static final Logger LOGGER = LoggerFactory.getLogger(HeaderTimeouts.class);

    private final Duration timeout;
    private final ApiCounters counters;
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private @Nullable ScheduledExecutorService sweeper;

    public HeaderTimeouts(Duration timeout, ApiCounters counters) {
        this.timeout = timeout;
        this.counters = counters;
    }

    /** How often heads are checked: a quarter of the timeout, at most a second, at least 50 ms. */
    static Duration sweepPeriod(Duration timeout) {
        long millis = Math.max(50, Math.min(1_000, timeout.toMillis() / 4));
        return Duration.ofMillis(millis);
    }

    @Override
    protected void doStart() throws Exception {
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .daemon()
                .name("switchboard-api-header-timeouts")
                .factory());
        long period = sweepPeriod(timeout).toMillis();
        started.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        sweeper = started;
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        ScheduledExecutorService started = sweeper;
        if (started != null) {
            started.shutdownNow();
        }
        sweeper = null;
        open.clear();
        super.doStop();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            open.add(http);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection http) {
            open.remove(http);
        }
    }

    private void sweep() {
        try {
            long now = NanoTime.now();
            long limit = timeout.toNanos();
            for (HttpConnection connection : open) {
                HttpParser parser = connection.getParser();
                if (!parser.isStart()
                        && parser.inHeaderState()
                        && NanoTime.elapsed(parser.getBeginNanoTime(), now) > limit) {
                    open.remove(connection);
                    counters.countSlowHead();
                    LOGGER.info(
                            "http connection closed: its request head took longer than header-timeout {} remote={}",
                            timeout,
                            connection.getEndPoint().getRemoteSocketAddress());
                    connection.getEndPoint().close();
                }
            }
        } catch (RuntimeException e) {
            LOGGER.warn("header-timeout sweep failed; trying again next period", e);
        }
    }
}
