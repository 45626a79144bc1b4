package dev.switchboard.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently the SDK resends a request whose answer was lost (connection error, timeout, HTTP
 * 5xx) or that the server asked to retry ({@code BUSY}, {@code UNAVAILABLE}). Every session call is idempotent,
 * so resending the same request is always safe. The wait before retry {@code n} is
 * {@code min(maxBackoff, initialBackoff * 2^(n-1))}, shortened by a random fraction of up to {@code jitter};
 * a {@code BUSY} answer's retry-after wins over the computed wait.
 *
 * @param maxAttempts attempts per request, the first included (at least 1)
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest wait between two attempts
 * @param jitter the fraction (0..1) of a wait that is randomised, so that many clients do not retry in step
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

    /** Validates the values; the messages name the setting. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, got initialBackoff="
                    + initialBackoff + " maxBackoff=" + maxBackoff);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
        }
    }

    /** 10 attempts, 50 ms initial backoff, at most 2 s between attempts, 20% jitter. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(10, Duration.ofMillis(50), Duration.ofSeconds(2), 0.2);
    }

    /** One attempt and no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RetryPolicy}; unset values keep their defaults. */
    public static final class Builder {
        private int maxAttempts = 10;
        private Duration initialBackoff = Duration.ofMillis(50);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private double jitter = 0.2;

        private Builder() {}

        /** Attempts per request, the first included. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The wait before the first retry. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** The longest wait between attempts. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** The randomised fraction of each wait, 0..1. */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /** The policy; throws {@link IllegalArgumentException} naming an invalid setting. */
        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, jitter);
        }
    }
}
