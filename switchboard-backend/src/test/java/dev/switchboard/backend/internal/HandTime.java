package dev.switchboard.backend.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A clock that stands still until the test moves it, and a {@link Scheduler} whose wake-ups fire when it does: a
 * deadline passes exactly when the test says, and never by real time.
 */
final class HandTime extends Clock implements Scheduler {
    private record WakeUp(Instant due, CompletableFuture<Void> future) {}

    private Instant now = Instant.parse("2025-01-01T00:00:00Z"); // guarded by this
    private final List<WakeUp> wakeUps = new ArrayList<>(); // guarded by this

    /** Moves the clock forward, then completes every wake-up due by then (outside the lock). */
    void advance(Duration duration) {
        List<WakeUp> due = new ArrayList<>();
        synchronized (this) {
            now = now.plus(duration);
            wakeUps.removeIf(wakeUp -> !wakeUp.due().isAfter(now) && due.add(wakeUp));
            wakeUps.removeIf(wakeUp -> wakeUp.future().isDone());
        }
        due.forEach(wakeUp -> wakeUp.future().complete(null));
    }

    /** How many wake-ups are waiting, not yet due and not forgotten. */
    synchronized int pending() {
        wakeUps.removeIf(wakeUp -> wakeUp.future().isDone());
        return wakeUps.size();
    }

    @Override
    public synchronized CompletableFuture<Void> after(Duration delay) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        wakeUps.add(new WakeUp(now.plus(delay), future));
        return future;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }
}
