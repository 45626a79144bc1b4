package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final RetryPolicy policy = RetryPolicy.builder()
            .maxAttempts(3)
            .initialBackoff(Duration.ofMillis(10))
            .maxBackoff(Duration.ofMillis(100))
            .jitter(0)
            .build();
    private final Retrier retrier = new Retrier(policy, sleeps::add, () -> 0.5);
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
    void whenAttemptsRunOutTheLastFailureSurfaces() {
        assertThatThrownBy(() -> retrier.run("commit", () -> {
                    throw new TransientFailure("HTTP 503 from http://127.0.0.1:1/v1/thrift");
                }))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("commit failed after 3 attempts: HTTP 503");
        assertThatThrownBy(() -> retrier.run("commit", () -> {
                    throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "kafka is down");
                }))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("after 3 attempts: kafka is down");
        assertThat(sleeps).hasSize(4);
    }
}
