package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.thrift.Limits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionLimitsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        // When
        SessionLimits limits = SessionLimits.defaults();

        // Then
        assertThat(limits.maxEventsPerRead()).isEqualTo(1000);
        assertThat(limits.maxBytesPerRead()).isEqualTo(4 * 1024 * 1024);
        assertThat(limits.writeWindow()).isEqualTo(16);
        assertThat(limits.maxEventsPerChunk()).isEqualTo(10_000);
        assertThat(limits.maxBytesPerChunk()).isEqualTo(8 * 1024 * 1024);
        assertThat(limits.maxEventBytes()).isEqualTo(1024 * 1024);
        assertThat(limits.sessionTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(limits.maxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.prefetchEvents()).isEqualTo(2000);
        assertThat(limits.drainTimeout()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void toThriftCarriesEveryLimit() {
        // Given
        SessionLimits limits = SessionLimits.builder()
                .writeWindow(4)
                .maxWait(Duration.ofMillis(1500))
                .build();

        // When
        Limits thrift = limits.toThrift();

        // Then
        assertThat(thrift)
                .isEqualTo(new Limits(1000, 4 * 1024 * 1024, 4, 10_000, 8 * 1024 * 1024, 1024 * 1024, 300_000, 1500));
    }

    @Test
    void invalidLimitsAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> SessionLimits.builder().maxEventsPerRead(0).build())
                .hasMessageContaining("max-events-per-read");
        assertThatThrownBy(() -> SessionLimits.builder().writeWindow(-1).build())
                .hasMessageContaining("write-window");
        assertThatThrownBy(() -> SessionLimits.builder().prefetchEvents(0).build())
                .hasMessageContaining("prefetch-events");
        assertThatThrownBy(
                        () -> SessionLimits.builder().sessionTtl(Duration.ZERO).build())
                .hasMessageContaining("session-ttl");
        assertThatThrownBy(() -> SessionLimits.builder().maxWait(null).build()).hasMessageContaining("max-wait");
        assertThatThrownBy(() -> SessionLimits.builder()
                        .drainTimeout(Duration.ofSeconds(-1))
                        .build())
                .hasMessageContaining("drain-timeout");
        assertThatThrownBy(() -> SessionLimits.builder()
                        .maxWait(Duration.ofSeconds(30))
                        .drainTimeout(Duration.ofSeconds(30))
                        .build())
                .hasMessageContaining("drain-timeout (PT30S) must be longer than max-wait (PT30S)");
        assertThatThrownBy(() -> SessionLimits.builder()
                        .maxEventBytes(2048)
                        .maxBytesPerChunk(1024)
                        .build())
                .hasMessageContaining("max-event-bytes")
                .hasMessageContaining("max-bytes-per-chunk");
    }
}
