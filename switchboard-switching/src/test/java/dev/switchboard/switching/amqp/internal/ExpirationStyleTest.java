package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ExpirationStyleTest {
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

    @Test
    void relativeStyleWritesATimeToLive() {
        assertThat(ExpirationStyle.RELATIVE.encode(Duration.ofMillis(250), clock))
                .isEqualTo("250");
        assertThat(ExpirationStyle.RELATIVE.remaining(250, clock)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void absoluteStyleWritesAnEpochTime() {
        assertThat(ExpirationStyle.ABSOLUTE.encode(Duration.ofMillis(250), clock))
                .isEqualTo("1000250");
        assertThat(ExpirationStyle.ABSOLUTE.remaining(1_000_250, clock)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void nothingExpiresBeforeItIsSent() {
        // a zero expiration means "now" to RabbitMQ and "never" to some brokers: always at least 1 ms
        assertThat(ExpirationStyle.RELATIVE.encode(Duration.ZERO, clock)).isEqualTo("1");
        assertThat(ExpirationStyle.ABSOLUTE.encode(Duration.ZERO, clock)).isEqualTo("1000001");
    }
}
