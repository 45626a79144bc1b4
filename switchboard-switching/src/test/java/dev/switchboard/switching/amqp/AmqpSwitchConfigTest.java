package dev.switchboard.switching.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AmqpSwitchConfigTest {
    private static final URI BROKER = URI.create("amqp://guest:guest@127.0.0.1:5672/shard-a");

    @Test
    void keepsTheShardsInTheirOrder() {
        Map<String, URI> shards = new LinkedHashMap<>();
        shards.put("s2", BROKER);
        shards.put("s0", BROKER);
        shards.put("s1", BROKER);

        assertThat(AmqpSwitchConfig.of(shards, "api-1").shards()).containsOnlyKeys("s2", "s0", "s1");
        assertThat(AmqpSwitchConfig.of(shards, "api-1").shards().keySet()).containsExactly("s2", "s0", "s1");
    }

    @Test
    void defaultsAreAnApiNodeBeatingEverySecond() {
        AmqpSwitchConfig config = AmqpSwitchConfig.of(Map.of("s0", BROKER), "api-1");

        assertThat(config.apiSide()).isTrue();
        assertThat(config.prefetch()).isEqualTo(AmqpSwitchConfig.DEFAULT_PREFETCH);
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.backendOnly().apiSide()).isFalse();
    }

    @Test
    void invalidValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> AmqpSwitchConfig.of(Map.of(), "api")).hasMessageStartingWith("shards:");
        assertThatThrownBy(() -> AmqpSwitchConfig.of(Map.of("s.0", BROKER), "api"))
                .hasMessageStartingWith("shards:");
        assertThatThrownBy(() -> AmqpSwitchConfig.of(Map.of("s0", BROKER), "api.1"))
                .hasMessageStartingWith("node-id:");
        AmqpSwitchConfig valid = AmqpSwitchConfig.of(Map.of("s0", BROKER), "api");
        assertThatThrownBy(() -> valid.withPrefetch(0)).hasMessageStartingWith("prefetch:");
        assertThatThrownBy(() -> valid.withHeartbeat(Duration.ZERO)).hasMessageStartingWith("heartbeat:");
    }

    @Test
    void badUriIsRefusedWithoutEchoingIt() {
        URI http = URI.create("http://user:secret@127.0.0.1:15672");

        assertThatThrownBy(() -> AmqpSwitchConfig.of(Map.of("s0", http), "api"))
                .hasMessageStartingWith("shards.s0:")
                .hasMessageNotContaining("secret");
    }

    @Test
    void trustsTheJvmDefaultsUnlessCertificatesAreGiven() throws Exception {
        AmqpSwitchConfig config = AmqpSwitchConfig.of(Map.of("s0", BROKER), "api");
        assertThat(config.trustedCertificates()).isEmpty();

        Path pem = Path.of(getClass().getResource("/trusted-ca.pem").toURI());
        AmqpSwitchConfig trusting =
                config.withTrustedCertificates(pem).withPrefetch(3).backendOnly();
        assertThat(trusting.trustedCertificates()).contains(pem);
        assertThat(trusting.prefetch()).isEqualTo(3);
        assertThat(trusting.withHeartbeat(Duration.ofSeconds(2)).trustedCertificates())
                .contains(pem);
    }

    @Test
    void refusesAMissingOrNonPemCertificateFile(@TempDir Path dir) throws Exception {
        AmqpSwitchConfig config = AmqpSwitchConfig.of(Map.of("s0", BROKER), "api");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> config.withTrustedCertificates(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted-certificates: " + missing + " does not exist");

        Path notPem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
        assertThatThrownBy(() -> config.withTrustedCertificates(notPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("trusted-certificates: " + notPem + " holds no certificate");

        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> config.withTrustedCertificates(empty))
                .hasMessageStartingWith("trusted-certificates: " + empty + " holds no certificate");
    }
}
