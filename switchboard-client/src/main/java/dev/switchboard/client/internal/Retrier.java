package dev.switchboard.client.internal;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request until it gets an answer, resending it unchanged after a lost answer ({@link TransientFailure})
 * or a retriable error code ({@code BUSY} after its retry-after, {@code UNAVAILABLE}), with the policy's backoff,
 * for as long as the policy's budget allows: once the next attempt would start past {@code budget} after the
 * first one, the last failure is thrown. Every other error is thrown at once. Errors come out as
 * {@link SwitchboardClientException}s carrying the server's code and message. Time comes from the injected clock
 * and waits go through the {@link Sleeper}, so tests neither sleep nor depend on the machine's speed.
 * Thread-safe.
 */
final class Retrier {
    private static final Logger LOGGER = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Clock clock;

    Retrier(RetryPolicy policy, Sleeper sleeper, DoubleSupplier random, Clock clock) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
        this.clock = clock;
    }

    Retrier(RetryPolicy policy, Sleeper sleeper, DoubleSupplier random) {
        this(policy, sleeper, random, Clock.systemUTC());
    }

    RetryPolicy policy() {
        return policy;
    }

    /** The same retrier with another budget. */
    Retrier withBudget(Duration budget) {
        return new Retrier(policy.withBudget(budget), sleeper, random, clock);
    }

    /** A budget starting now, for loops above single requests (replacing sessions). */
    Budget startBudget() {
        return new Budget(clock, clock.instant().plus(policy.budget()), policy.budget());
    }

    /** Waits the policy's backoff before round {@code round} (from 1) of a loop above single requests. */
    void pause(int round) throws InterruptedException {
        sleeper.sleep(Backoff.delay(policy, round, random.getAsDouble()));
    }

    /** How long a loop may keep failing; {@link #spent()} once its time is up. */
    record Budget(Clock clock, Instant end, Duration length) {
        boolean spent() {
            return !clock.instant().isBefore(end);
        }
    }

    @FunctionalInterface
    interface Attempt<T> {
        /** One try; a protocol error is thrown as {@link SwitchboardException}. */
        T run() throws TransientFailure, InterruptedException;
    }

    <T> T run(String what, Attempt<T> attempt) throws InterruptedException {
        return run(what, attempt, ErrorCode::retriable);
    }

    /** Like {@link #run(String, Attempt)}, retrying the error codes {@code retriable} accepts. */
    <T> T run(String what, Attempt<T> attempt, Predicate<ErrorCode> retriable) throws InterruptedException {
        Instant start = clock.instant();
        Instant end = start.plus(policy.budget());
        for (int number = 1; ; number++) {
            Duration wait;
            try {
                return attempt.run();
            } catch (TransientFailure e) {
                wait = Backoff.delay(policy, number, random.getAsDouble());
                if (clock.instant().plus(wait).isAfter(end)) {
                    throw new SwitchboardClientException(
                            ErrorCode.UNAVAILABLE, gaveUp(what, number, start) + e.getMessage(), e);
                }
                LOGGER.debug("retrying call={} attempt={} wait={} reason={}", what, number, wait, e.getMessage());
            } catch (SwitchboardException e) {
                if (!retriable.test(e.code())) {
                    throw new SwitchboardClientException(e.code(), what + " failed: " + e.getMessage(), e);
                }
                wait = e.retryAfterMs().isPresent()
                        ? Duration.ofMillis(e.retryAfterMs().getAsLong())
                        : Backoff.delay(policy, number, random.getAsDouble());
                if (clock.instant().plus(wait).isAfter(end)) {
                    throw new SwitchboardClientException(e.code(), gaveUp(what, number, start) + e.getMessage(), e);
                }
                LOGGER.debug("retrying call={} attempt={} wait={} code={}", what, number, wait, e.code());
            }
            sleeper.sleep(wait);
        }
    }

    private String gaveUp(String what, int attempts, Instant start) {
        if (attempts == 1) {
            return what + " failed: ";
        }
        Duration spent = Duration.between(start, clock.instant());
        return what + " failed after " + attempts + " attempts in " + seconds(spent) + " (retry budget "
                + seconds(policy.budget()) + "): ";
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
