package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final RetryPolicy policy = RetryPolicy.defaults(); // 50 ms doubling up to 2 s, 20% jitter

    @Test
    void waitsDoubleUpToTheCap() {
        assertThat(Backoff.delay(policy, 1, 0)).isEqualTo(Duration.ofMillis(50));
        assertThat(Backoff.delay(policy, 2, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(Backoff.delay(policy, 5, 0)).isEqualTo(Duration.ofMillis(800));
        assertThat(Backoff.delay(policy, 7, 0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Backoff.delay(policy, 1000, 0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void jitterShortensAWaitByAtMostItsFraction() {
        assertThat(Backoff.delay(policy, 2, 0.5)).isEqualTo(Duration.ofMillis(90));
        assertThat(Backoff.delay(policy, 2, 0.999999)).isBetween(Duration.ofMillis(80), Duration.ofMillis(81));
    }
}
