package dev.switchboard.bench;

import java.util.concurrent.locks.LockSupport;

/** Holds one writer to {@code eventsPerSecond} (0: no limit) by sleeping until each batch is due. */
final class Pacer {
    private final long eventsPerSecond;
    private final long start = System.nanoTime();

    Pacer(long eventsPerSecond) {
        this.eventsPerSecond = eventsPerSecond;
    }

    /** Waits until the events before {@code sent} are due, so the next batch leaves on schedule. */
    void awaitTurn(long sent) {
        if (eventsPerSecond == 0) {
            return;
        }
        long due = start + sent * 1_000_000_000L / eventsPerSecond;
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }
}
