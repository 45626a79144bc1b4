package dev.switchboard.core.mac;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RequestMacTest {
    private static final byte[] SECRET = "request-mac-test-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "a thrift call".getBytes(StandardCharsets.UTF_8);

    @Test
    void theSessionKeyDependsOnSecretAndSessionOnly() {
        assertThat(RequestMac.sessionKey(SECRET, "s0.n1.a"))
                .hasSize(32)
                .isEqualTo(RequestMac.sessionKey(SECRET, "s0.n1.a"));
        assertThat(RequestMac.sessionKey(SECRET, "s0.n1.a")).isNotEqualTo(RequestMac.sessionKey(SECRET, "s0.n1.b"));
        assertThat(RequestMac.sessionKey("another-secret-of-enough-bytes".getBytes(StandardCharsets.UTF_8), "s0.n1.a"))
                .isNotEqualTo(RequestMac.sessionKey(SECRET, "s0.n1.a"));
    }

    @Test
    void theMacCoversSessionTimestampNonceAndBody() {
        byte[] key = RequestMac.sessionKey(SECRET, "s0.n1.a");
        String mac = RequestMac.sign(key, "s0.n1.a", 1000, "nonce-0123456789abc", BODY);

        assertThat(mac)
                .isEqualTo(RequestMac.sign(
                        key,
                        "s0.n1.a",
                        1000,
                        "nonce-0123456789abc",
                        HexFormat.of().formatHex(RequestMac.sha256(BODY))))
                .isNotEqualTo(RequestMac.sign(key, "s0.n1.b", 1000, "nonce-0123456789abc", BODY))
                .isNotEqualTo(RequestMac.sign(key, "s0.n1.a", 1001, "nonce-0123456789abc", BODY))
                .isNotEqualTo(RequestMac.sign(key, "s0.n1.a", 1000, "nonce-0123456789abd", BODY))
                .isNotEqualTo(RequestMac.sign(key, "s0.n1.a", 1000, "nonce-0123456789abc", new byte[] {1}));
        assertThat(RequestMac.same(mac, mac)).isTrue();
        assertThat(RequestMac.same(mac, mac.substring(1) + "A")).isFalse();
    }

    @Test
    void freshNoncesAreValidAndDistinct() {
        String first = RequestMac.nonce();
        assertThat(RequestMac.isValidNonce(first)).isTrue();
        assertThat(RequestMac.nonce()).isNotEqualTo(first);
        assertThat(RequestMac.isValidNonce("short")).isFalse();
        assertThat(RequestMac.isValidNonce("has spaces in it, not allowed")).isFalse();
        assertThat(RequestMac.isValidNonce("0123456789abcdef")).isTrue();
        assertThat(RequestMac.isValidNonce("0123456789abcde")).isFalse();
        assertThat(RequestMac.isValidNonce("A-_z".repeat(16))).isTrue();
        assertThat(RequestMac.isValidNonce("A-_z".repeat(16) + "a")).isFalse();
        assertThat(RequestMac.isValidNonce("0123456789abcdef+")).isFalse();
        assertThat(RequestMac.isValidNonce("0123456789abcdé")).isFalse();
    }

    @Test
    void noncesFromManyThreadsNeverRepeat() throws Exception {
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 25_000; i++) {
                    String nonce = RequestMac.nonce();
                    assertThat(RequestMac.isValidNonce(nonce)).isTrue();
                    seen.add(nonce);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(seen).hasSize(100_000);
    }
}
