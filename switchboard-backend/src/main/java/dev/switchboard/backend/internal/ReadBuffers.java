package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.SwitchboardException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-wide budget of read buffers ({@code max-prefetch-bytes}), shared by every read session's read-ahead
 * ({@link Fetcher}) and every tailed topic's cache ({@link TailReaders}). Thread-safe.
 *
 * <p>Implementation notes: a fetcher reserves one fetch for its open consumer (the consumer fetches ahead of the
 * next poll on its own) from its first poll until the consumer closes, and one fetch for each poll, which becomes
 * what the poll returned ({@link #charge}, then {@link #release} of the reservation); it releases records as it
 * hands them out. A poll returns more than one fetch only with several brokers, or a single record batch larger
 * than a fetch, so only such a poll passes the budget. A tail reader reserves its whole cache up front and gives it
 * back when it stops.
 */
public final class ReadBuffers {
    /** Read buffers empty within a read or two. */
    static final long RETRY_AFTER_MS = 200;

    private final long max;
    private final AtomicLong used;
    private final BackendCounters counters;

    public ReadBuffers(long max, BackendCounters counters) {
        this.max = max;
        this.used = counters.prefetchBytesGauge();
        this.counters = counters;
    }

    /** A budget nothing else shares (tests, sharing off). */
    static ReadBuffers unbounded() {
        return new ReadBuffers(Long.MAX_VALUE, new BackendCounters());
    }

    /** Adds what a poll returned, whatever its size (its reservation is released separately). */
    void charge(long bytes) {
        if (bytes > 0) {
            used.addAndGet(bytes);
        }
    }

    /** Takes {@code bytes} when they fit; false (nothing taken) when they do not. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > max) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /** The answer to a read that has nothing buffered and no room to fetch: BUSY, retry shortly. */
    SwitchboardException full() {
        counters.countReadRefusedPrefetchBytes();
        return SwitchboardException.busy(
                RETRY_AFTER_MS,
                "this node's read buffers hold " + used.get() + " bytes (max-prefetch-bytes " + max + "); retry later");
    }

    /** Counts a tail reader not started for want of room. */
    void countTailRefused() {
        counters.countTailReaderRefusedPrefetchBytes();
    }
}
