package dev.switchboard.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How long and how patiently the SDK resends a request whose answer was lost (connection error, timeout, HTTP
 * 5xx) or that the server asked to retry ({@code BUSY}, {@code UNAVAILABLE}), and how long a publisher or
 * subscriber keeps replacing lost sessions. Every session call is idempotent, so resending the same request is
 * always safe. Retries are bounded by time, not by a count: a request is resent until it has been failing for
 * {@code budget}, so an outage shorter than the budget (a broker or Kafka restart) is ridden out and one longer
 * than it fails every waiting call with the last error. The wait before retry {@code n} is
 * {@code min(maxBackoff, initialBackoff * 2^(n-1))}, shortened by a random fraction of up to {@code jitter}; a
 * {@code BUSY} answer's retry-after wins over the computed wait.
 *
 * @param budget how long a request (or a publisher's or subscriber's recovery) may keep failing before it gives
 *     up; zero means a single attempt
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest wait between two attempts
 * @param jitter the fraction (0..1) of a wait that is randomised, so that many clients do not retry in step
 */
public record RetryPolicy(Duration budget, Duration initialBackoff, Duration maxBackoff, double jitter) {
    /** The default budget: long enough to ride out a broker or Kafka restart of a minute. */
    public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(2);

    /** Validates the values; the messages name the setting. */
    public RetryPolicy {
        requireBudget(budget);
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

    /** A 2 minute budget, 50 ms initial backoff, at most 2 s between attempts, 20% jitter. */
    public static RetryPolicy defaults() {
        return builder().build();
    }

    /** One attempt and no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }

    /** This policy with another budget. */
    public RetryPolicy withBudget(Duration budget) {
        return new RetryPolicy(budget, initialBackoff, maxBackoff, jitter);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    static Duration requireBudget(Duration budget) {
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("budget must not be negative, got " + budget);
        }
        return budget;
    }

    /** Builds a {@link RetryPolicy}; unset values keep their defaults. */
    public static final class Builder {
        private Duration budget = DEFAULT_BUDGET;
        private Duration initialBackoff = Duration.ofMillis(50);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private double jitter = 0.2;

        private Builder() {}

        /** How long a request may keep failing before it gives up; default 2 minutes. */
        public Builder budget(Duration budget) {
            this.budget = budget;
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
            return new RetryPolicy(budget, initialBackoff, maxBackoff, jitter);
        }
    }
}
