package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ApiConfig config = ApiConfig.defaults();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxRequestBytes()).isEqualTo(9 * 1024 * 1024);
        assertThat(config.readWaitMargin()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void portZeroMeansAnyFreePort() {
        assertThat(ApiConfig.defaults().withPort(0).port()).isZero();
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        ApiConfig defaults = ApiConfig.defaults();

        assertThatThrownBy(() -> defaults.withHost(" ")).hasMessageContaining("host");
        assertThatThrownBy(() -> defaults.withPort(65536)).hasMessageContaining("port");
        assertThatThrownBy(() -> defaults.withPort(-1)).hasMessageContaining("port");
        assertThatThrownBy(() -> defaults.withRequestTimeout(Duration.ZERO)).hasMessageContaining("request-timeout");
        assertThatThrownBy(() -> defaults.withMaxRequestBytes(0)).hasMessageContaining("max-request-bytes");
        assertThatThrownBy(() -> defaults.withReadWaitMargin(Duration.ofMillis(-1)))
                .hasMessageContaining("read-wait-margin");
        assertThatThrownBy(() -> new ApiConfig(null, 1, Duration.ofSeconds(1), 1, Duration.ZERO))
                .hasMessageContaining("host");
    }
}
