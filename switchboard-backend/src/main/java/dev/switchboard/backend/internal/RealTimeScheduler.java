package dev.switchboard.backend.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler#real()}: wake-ups on real time, on one daemon thread started on first use. */
final class RealTimeScheduler {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private RealTimeScheduler() {}

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("sb-scheduler").factory());
        timer.setRemoveOnCancelPolicy(true); // a wait that ended early leaves nothing queued
        return timer;
    }

    static CompletableFuture<Void> after(Duration delay) {
        CompletableFuture<Void> due = new CompletableFuture<>();
        ScheduledFuture<?> wakeUp =
                TIMER.schedule(() -> due.complete(null), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        due.whenComplete((ignored, failure) -> wakeUp.cancel(false));
        return due;
    }
}
