package dev.switchboard.core.load;

import dev.switchboard.protocol.SwitchboardException;
import java.time.Clock;
import java.time.Duration;

/**
 * Sheds new work while the node's requests wait ({@code limits.max-queue-delay}): a node past what its CPU can do
 * answers new writes, reads and allocations BUSY with a retry-after at once, so its queue stays short, its
 * requests finish well within their deadlines and its presence beats keep going, instead of every request waiting
 * longer and longer until the clients' deadlines pass and they send their work again. Thread-safe.
 *
 * <p>Implementation notes: the node reports how long each request it finished took from arrival to answer
 * ({@link #finished}; writes and acks: work the node does at once, not long polls or commits waiting for Kafka).
 * Time is cut into windows of {@link #WINDOW}; when even the quickest request of a window took longer than the
 * bound, the node has a standing queue (a burst that drains within the window leaves some request quick), and
 * the gate is closed for the next window. When no window has ended for two windows (everything shed, or nothing
 * sent), the gate opens again, so it cannot stay shut by itself. The retry-after is the quickest request's time, at
 * most {@link #MAX_RETRY_AFTER}: about how long the queue ahead takes to drain.
 */
public final class QueueDelayGate {
    public static final Duration WINDOW = Duration.ofSeconds(1);
    public static final long MAX_RETRY_AFTER_MS = 5_000;
    private static final Duration MAX_RETRY_AFTER = Duration.ofMillis(MAX_RETRY_AFTER_MS);

    private final Duration bound;
    private final Clock clock;
    private final Runnable onRefused;

    /** Guarded by {@code this}. */
    private long windowStart;

    private long quickest = Long.MAX_VALUE;
    /** The quickest request of the last full window, in ms; 0 when it had none. */
    private volatile long lastQuickest;

    private volatile long lastWindowEnd;

    /**
     * @param bound {@code max-queue-delay}
     * @param clock the node's clock (arrival times given to {@link #finished} are its millis)
     * @param onRefused counts a refusal (the node's {@code switchboard_requests_refused_total{reason="queue-delay"}})
     */
    public QueueDelayGate(Duration bound, Clock clock, Runnable onRefused) {
        if (bound.toMillis() < 1) {
            throw new IllegalArgumentException("max-queue-delay must be at least 1ms, got " + bound);
        }
        this.bound = bound;
        this.clock = clock;
        this.onRefused = onRefused;
        this.windowStart = clock.millis();
        this.lastWindowEnd = windowStart;
    }

    /** A request that arrived at {@code arrivedMillis} (the node's clock) has been answered now. */
    public void finished(long arrivedMillis) {
        long now = clock.millis();
        long took = Math.max(0, now - arrivedMillis);
        synchronized (this) {
            if (now - windowStart >= WINDOW.toMillis()) {
                lastQuickest = quickest == Long.MAX_VALUE ? 0 : quickest; // no request at all: nothing waited
                lastWindowEnd = now;
                windowStart = now;
                quickest = Long.MAX_VALUE;
            }
            quickest = Math.min(quickest, took);
        }
    }

    /** Lets new work in, or throws BUSY with a retry-after while the node's requests wait past the bound. */
    public void admit(String what) {
        long waited = lastQuickest;
        if (waited <= bound.toMillis() || clock.millis() - lastWindowEnd >= 2 * WINDOW.toMillis()) {
            return;
        }
        onRefused.run();
        throw SwitchboardException.busy(
                Math.min(waited, MAX_RETRY_AFTER.toMillis()),
                "this node is behind: its requests waited " + waited + " ms (max-queue-delay " + bound.toMillis()
                        + " ms); " + what + " later, or elsewhere");
    }
}
