package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.SwitchboardException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestMacsTest {
    private static final byte[] SECRET = "request-macs-test-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final String SESSION = "s0.n1.abc";
    private static final byte[] BODY = "a call".getBytes(StandardCharsets.UTF_8);

    private long now = 1_000_000;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    };
    private final RequestMacs macs = new RequestMacs(SECRET, Duration.ofMinutes(1), clock);

    @Test
    void theRememberedNoncesAreBoundedAndAFloodIsAnsweredBusyUntilTheWindowMovesOn() {
        RequestMacs bounded = new RequestMacs(SECRET, Duration.ofMinutes(1), clock, 3);
        for (int i = 0; i < 3; i++) {
            bounded.verify(SESSION, signed(now, RequestMac.nonce()));
        }

        assertThatThrownBy(() -> bounded.verify(SESSION, signed(now, RequestMac.nonce())))
                .isInstanceOfSatisfying(SwitchboardException.class, e -> {
                    assertThat(e.code()).isEqualTo(dev.switchboard.protocol.ErrorCode.BUSY);
                    assertThat(e.retryAfterMs().getAsLong()).isPositive();
                });
        assertThat(bounded.remembered()).isEqualTo(3);

        now += Duration.ofMinutes(1).plus(RequestMacs.SWEEP_EVERY).toMillis() + 1;
        bounded.verify(SESSION, signed(now, RequestMac.nonce()));
        assertThat(bounded.remembered()).isEqualTo(1);
    }

    @Test
    void aNonceIsRefusedAgainWithinTheWindowAndForgottenSoonAfterIt() {
        // Given a signed call, accepted once
        String nonce = RequestMac.nonce();
        macs.verify(SESSION, signed(now, nonce));

        // Then the same call is a replay
        assertThatThrownBy(() -> macs.verify(SESSION, signed(now, nonce)))
                .isInstanceOf(SwitchboardException.class)
                .hasMessageContaining("replayed");

        // And once its timestamp has left the window, a sweep forgets it (it is refused as stale anyway)
        now += Duration.ofMinutes(1).plus(RequestMacs.SWEEP_EVERY).toMillis() + 1;
        macs.verify(SESSION, signed(now, RequestMac.nonce()));
        assertThat(macs.remembered()).isEqualTo(1);
        assertThatThrownBy(() ->
                        macs.verify(SESSION, signed(now - Duration.ofMinutes(2).toMillis(), nonce)))
                .hasMessageContaining("timestamp");
    }

    @Test
    void manyCallsEachWithAFreshNonceAreAllAccepted() {
        for (int i = 0; i < 10_000; i++) {
            macs.verify(SESSION, signed(now, RequestMac.nonce()));
        }
        assertThat(macs.remembered()).isEqualTo(10_000);
    }

    private static CallContext signed(long timestamp, String nonce) {
        byte[] key = RequestMac.sessionKey(SECRET, SESSION);
        Map<String, List<String>> headers = Map.of(
                RequestMac.TIMESTAMP_HEADER, List.of(Long.toString(timestamp)),
                RequestMac.NONCE_HEADER, List.of(nonce),
                RequestMac.MAC_HEADER, List.of(RequestMac.sign(key, SESSION, timestamp, nonce, BODY)));
        return new CallContext(headers, "127.0.0.1", HexFormat.of().formatHex(RequestMac.sha256(BODY)));
    }
}
