package dev.switchboard.bench;

import java.util.function.LongConsumer;

/**
 * Events done so far and when the last of them was done, read together: a rate over the interval between two
 * completions counts exactly the events done in it, however bursty the completions are (a commit confirms
 * several chunks at once). Thread-safe.
 */
final class Completions implements LongConsumer {
    /** Events done up to {@code lastNanos} ({@link System#nanoTime}), when the last of them was done. */
    record Snapshot(long events, long lastNanos) {}

    private long events; // guarded by this
    private long lastNanos = System.nanoTime(); // guarded by this

    @Override
    public synchronized void accept(long done) {
        events += done;
        lastNanos = System.nanoTime();
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(events, lastNanos);
    }
}
