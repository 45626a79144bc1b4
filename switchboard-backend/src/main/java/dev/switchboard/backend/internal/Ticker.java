package dev.switchboard.backend.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task every period: what drives the session reaper. The node's is a daemon thread; a test passes its own
 * and runs the ticks itself, so expiry and parking (judged by the injected clock) need no real time at all.
 */
@FunctionalInterface
public interface Ticker {
    /** Starts running {@code task} every {@code period}; closing what it returns stops it. */
    AutoCloseable every(Duration period, Runnable task);

    /** Ticks on a daemon thread named {@code name}. */
    static Ticker daemon(String name) {
        return (period, task) -> {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name(name).factory());
            timer.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
            return timer::shutdownNow;
        };
    }
}
