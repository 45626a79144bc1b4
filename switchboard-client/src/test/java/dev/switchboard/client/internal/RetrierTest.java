package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
    private final ManualClock clock = new ManualClock();
    private final List<Duration> sleeps = new ArrayList<>();
    private final RetryPolicy policy = RetryPolicy.builder()
            .budget(Duration.ofSeconds(1))
            .initialBackoff(Duration.ofMillis(10))
            .maxBackoff(Duration.ofMillis(100))
            .jitter(0)
            .build();
    private final Retrier retrier = new Retrier(
            policy,
            duration -> {
                sleeps.add(duration);
                clock.advance(duration);
            },
            () -> 0.5,
            clock);
    private final AtomicInteger attempts = new AtomicInteger();

    @Test
    void aLostAnswerIsRetriedWithBackoffUntilAnAnswerComes() throws InterruptedException {
        String answer = retrier.run("read", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new TransientFailure("connection reset");
            }
            return "batch";
        });

        assertThat(answer).isEqualTo("batch");
        assertThat(sleeps).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
    }

    @Test
    void busyWaitsForItsRetryAfter() throws InterruptedException {
        String answer = retrier.run("write", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw SwitchboardException.busy(300, "window full");
            }
            return "staged";
        });

        assertThat(answer).isEqualTo("staged");
        assertThat(sleeps).containsExactly(Duration.ofMillis(300));
    }

    @Test
    void aNonRetriableErrorSurfacesAtOnceWithTheServersMessage() {
        assertThatThrownBy(() -> retrier.run("allocate", () -> {
                    attempts.incrementAndGet();
                    throw SwitchboardException.of(ErrorCode.FORBIDDEN, "no write access to orders");
                }))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessage("allocate failed: no write access to orders");
        assertThat(attempts).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void internalIsNotRetried() {
        // an INTERNAL answer is a bug or an operator's problem: sending the same request again does not help
        assertThatThrownBy(() -> retrier.run("read", () -> {
                    attempts.incrementAndGet();
                    throw SwitchboardException.of(ErrorCode.INTERNAL, "event t/0@5 cannot be read");
                }))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        assertThat(attempts).hasValue(1);
    }

    @Test
    void drainingIsRetriedOnlyWhereTheCallerSaysSo() throws InterruptedException {
        // allocate retries DRAINING (the next attempt reaches a node still taking sessions); other calls do not
        String answer = retrier.run(
                "allocate",
                () -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining");
                    }
                    return "session";
                },
                code -> code.retriable() || code == ErrorCode.DRAINING);
        assertThat(answer).isEqualTo("session");
        assertThatThrownBy(() -> retrier.run("write", () -> {
                    throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining");
                }))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DRAINING));
    }

    @Test
    void retriesGoOnForTheBudgetNotForACountOfAttempts() {
        // given a backend that keeps answering UNAVAILABLE
        Instant start = clock.instant();
        assertThatThrownBy(() -> retrier.run("commit", () -> {
                    attempts.incrementAndGet();
                    throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "kafka is down");
                }))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("commit failed after")
                .hasMessageContaining("retry budget 1.0 s")
                .hasMessageEndingWith("kafka is down");

        // then it was retried, at the longest backoff, until the next wait would end past the budget
        Duration spent = Duration.between(start, clock.instant());
        assertThat(spent).isLessThanOrEqualTo(Duration.ofSeconds(1)).isGreaterThan(Duration.ofMillis(900));
        assertThat(attempts.get()).isEqualTo(sleeps.size() + 1).isGreaterThan(10);
    }

    @Test
    void aLongerBudgetRidesOutALongerOutage() throws InterruptedException {
        // given an outage of 50 s (answers lost until then)
        Instant back = clock.instant().plus(Duration.ofSeconds(50));
        Retrier patient = retrier.withBudget(Duration.ofMinutes(1));

        // when a request is sent during it, then it is answered once the outage ends
        String answer = patient.run("commit", () -> {
            if (clock.instant().isBefore(back)) {
                throw new TransientFailure("HTTP 503");
            }
            return "committed";
        });
        assertThat(answer).isEqualTo("committed");
        assertThatThrownBy(() -> retrier.run("commit", () -> {
                    if (clock.instant().isBefore(back.plus(Duration.ofSeconds(50)))) {
                        throw new TransientFailure("HTTP 503");
                    }
                    return "committed";
                }))
                .hasMessageContaining("HTTP 503");
    }

    @Test
    void aZeroBudgetMakesOneAttempt() {
        Retrier once = retrier.withBudget(Duration.ZERO);
        assertThatThrownBy(() -> once.run("read", () -> {
                    attempts.incrementAndGet();
                    throw new TransientFailure("connection refused");
                }))
                .hasMessage("read failed: connection refused");
        assertThat(attempts).hasValue(1);
    }
}
