package dev.switchboard.backend.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One-shot wake-ups after a delay of the node's clock: what ends a commit's wait at max-wait. The node's runs on
 * real time; a test passes one that fires when it moves its clock, so a deadline passes without real time passing.
 */
@FunctionalInterface
public interface Scheduler {
    /**
     * A future that completes {@code delay} from now. Completing or cancelling it first forgets the wake-up, so a
     * wait that ended otherwise holds no timer.
     */
    CompletableFuture<Void> after(Duration delay);

    /** Wakes on real time, on one daemon thread shared by every node in the JVM. */
    static Scheduler real() {
        return RealTimeScheduler::after;
    }
}
