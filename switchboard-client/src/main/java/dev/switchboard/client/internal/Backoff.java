package dev.switchboard.client.internal;

import dev.switchboard.client.RetryPolicy;
import java.time.Duration;

/** The waits of a {@link RetryPolicy}: exponential, capped, with part of each wait randomised. */
final class Backoff {
    private Backoff() {}

    /**
     * The wait before retry number {@code retry} (1 = the first retry), with {@code random} in [0, 1) choosing
     * how much of the jittered part is dropped.
     */
    static Duration delay(RetryPolicy policy, int retry, double random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry counts from 1, got " + retry);
        }
        long initial = policy.initialBackoff().toNanos();
        long max = policy.maxBackoff().toNanos();
        int doublings = Math.min(retry - 1, 62);
        long base = initial > (max >> doublings) ? max : Math.min(max, initial << doublings);
        long jittered = Math.round(base * (1 - policy.jitter() * random));
        return Duration.ofNanos(Math.max(0, jittered));
    }
}
