package dev.switchboard.client.internal;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request until it gets an answer, resending it unchanged after a lost answer ({@link TransientFailure})
 * or a retriable error code ({@code BUSY} after its retry-after, {@code UNAVAILABLE}, {@code INTERNAL}), with the
 * policy's backoff. Every other error, and the last failure once the attempts are used up, is thrown as a
 * {@link SwitchboardClientException} carrying the server's code and message. Thread-safe.
 */
final class Retrier {
    private static final Logger LOGGER = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final DoubleSupplier random;

    Retrier(RetryPolicy policy, Sleeper sleeper, DoubleSupplier random) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    RetryPolicy policy() {
        return policy;
    }

    @FunctionalInterface
    interface Attempt<T> {
        /** One try; a protocol error is thrown as {@link SwitchboardException}. */
        T run() throws TransientFailure, InterruptedException;
    }

    <T> T run(String what, Attempt<T> attempt) throws InterruptedException {
        for (int number = 1; ; number++) {
            Duration wait;
            try {
                return attempt.run();
            } catch (TransientFailure e) {
                if (number >= policy.maxAttempts()) {
                    throw new SwitchboardClientException(
                            ErrorCode.UNAVAILABLE,
                            what + " failed after " + number + " attempts: " + e.getMessage(),
                            e);
                }
                wait = Backoff.delay(policy, number, random.getAsDouble());
                LOGGER.debug("retrying call={} attempt={} wait={} reason={}", what, number, wait, e.getMessage());
            } catch (SwitchboardException e) {
                if (!e.code().retriable()) {
                    throw new SwitchboardClientException(e.code(), what + " failed: " + e.getMessage(), e);
                }
                if (number >= policy.maxAttempts()) {
                    throw new SwitchboardClientException(
                            e.code(), what + " failed after " + number + " attempts: " + e.getMessage(), e);
                }
                wait = e.retryAfterMs().isPresent()
                        ? Duration.ofMillis(e.retryAfterMs().getAsLong())
                        : Backoff.delay(policy, number, random.getAsDouble());
                LOGGER.debug("retrying call={} attempt={} wait={} code={}", what, number, wait, e.code());
            }
            sleeper.sleep(wait);
        }
    }
}
