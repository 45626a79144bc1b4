package dev.switchboard.backend;

import dev.switchboard.backend.internal.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's scheduler on real time whose wake-ups a test can also bring forward, so a wait ends exactly when the
 * test says (after moving the node's clock past its deadline) rather than by watching real time pass.
 */
final class WakeUps implements Scheduler {
    private final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Void> after(Duration delay) {
        CompletableFuture<Void> due = Scheduler.real().after(delay);
        pending.add(due);
        return due;
    }

    /** Wake-ups scheduled and neither due nor forgotten yet. */
    int pending() {
        pending.removeIf(CompletableFuture::isDone);
        return pending.size();
    }

    /** Makes every pending wake-up come now. */
    void bringForward() {
        pending.forEach(due -> due.complete(null));
    }
}
