package dev.switchboard.api.internal;

import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies the per-request MAC ({@link RequestMac}) of every call after allocate: present, made with the
 * session's key over this very body, timestamp within {@code window} of this node's clock, and a nonce this node
 * has not seen in that window (replays are refused).
 *
 * <p>Implementation notes: seen nonces live in a concurrent map until their timestamp leaves the window; expired
 * ones are swept at most every {@link #SWEEP_EVERY} (a sweep walks the whole map: at thousands of calls a second it
 * holds millions of nonces, too many to walk every few calls). The replay check is per API node: a request replayed to another node within
 * the window passes the MAC and meets the session's sequence numbers instead (which make a repeated call
 * harmless: the backend answers it as a repetition).
 */
public final class RequestMacs {
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    static final Duration SWEEP_EVERY = Duration.ofSeconds(10);
    /** base64url without padding of an HMAC-SHA256. */
    private static final int SIGNATURE_CHARS = 43;

    private final byte[] clusterSecret;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong();

    /**
     * Nonces remembered at most (about 200 bytes each: at most ~100 MiB): a node taking more than this many signed
     * calls within the window answers BUSY instead of growing without bound.
     */
    public static final int DEFAULT_MAX_REMEMBERED = 500_000;

    static final long RETRY_AFTER_MS = 1_000;

    private final int maxRemembered;

    public RequestMacs(byte[] clusterSecret, Duration window, Clock clock) {
        this(clusterSecret, window, clock, DEFAULT_MAX_REMEMBERED);
    }

    RequestMacs(byte[] clusterSecret, Duration window, Clock clock, int maxRemembered) {
        this.clusterSecret = clusterSecret.clone();
        this.window = window;
        this.clock = clock;
        this.maxRemembered = maxRemembered;
    }

    ByteBuffer keyFor(String sessionId) {
        return ByteBuffer.wrap(RequestMac.sessionKey(clusterSecret, sessionId));
    }

    /** Nothing when the call's MAC headers are valid for {@code sessionId}; UNAUTHENTICATED otherwise. */
    void verify(String sessionId, CallContext context) {
        String mac = context.header(RequestMac.MAC_HEADER)
                .orElseThrow(() -> unauthenticated("the call carries no request MAC (headers "
                        + RequestMac.MAC_HEADER + ", " + RequestMac.TIMESTAMP_HEADER + ", " + RequestMac.NONCE_HEADER
                        + "); sign it with the session's MAC key from allocate"));
        long timestamp = timestamp(context);
        String nonce = context.header(RequestMac.NONCE_HEADER)
                .filter(RequestMac::isValidNonce)
                .orElseThrow(() -> unauthenticated(
                        "header " + RequestMac.NONCE_HEADER + " must be 16-64 characters of [A-Za-z0-9_-]"));
        long now = clock.millis();
        if (Math.abs(now - timestamp) > window.toMillis()) {
            throw unauthenticated("the request timestamp is more than " + window.toSeconds()
                    + " s away from the server's clock (stale request, or a clock out of sync)");
        }
        String expected = RequestMac.sign(
                RequestMac.sessionKey(clusterSecret, sessionId), sessionId, timestamp, nonce, context.bodySha256());
        if (!RequestMac.same(expected, mac)) {
            throw unauthenticated("the request MAC is not valid for this session and body");
        }
        long sweep = nextSweep.get();
        if (now >= sweep && nextSweep.compareAndSet(sweep, now + SWEEP_EVERY.toMillis())) {
            seen.values().removeIf(expiry -> expiry < now);
        }
        if (seen.size() >= maxRemembered) {
            // Only a flood of validly signed calls gets here; the next sweep makes room again.
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "this node remembers as many request nonces as it may (" + maxRemembered
                            + " within the replay window); retry");
        }
        if (seen.putIfAbsent(sessionId + "/" + nonce, timestamp + window.toMillis()) != null) {
            throw unauthenticated("the request was replayed (its nonce was already used)");
        }
    }

    /**
     * True when a request's headers look signed: a MAC of the right shape, a valid nonce and a timestamp within
     * the window. Checked before the body is read (the MAC itself covers the body), so that only such requests
     * may send large bodies; it proves nothing about the sender, which {@link #verify} does once the body is in.
     */
    public boolean looksSigned(String mac, String timestamp, String nonce) {
        if (mac == null || mac.length() != SIGNATURE_CHARS || nonce == null || !RequestMac.isValidNonce(nonce)) {
            return false;
        }
        try {
            return Math.abs(clock.millis() - Long.parseLong(timestamp == null ? "" : timestamp.strip()))
                    <= window.toMillis();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Nonces remembered for the replay check (for tests). */
    int remembered() {
        return seen.size();
    }

    private static long timestamp(CallContext context) {
        String value = context.header(RequestMac.TIMESTAMP_HEADER)
                .orElseThrow(() -> unauthenticated("header " + RequestMac.TIMESTAMP_HEADER + " is required"));
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw unauthenticated("header " + RequestMac.TIMESTAMP_HEADER + " must be epoch milliseconds");
        }
    }

    private static SwitchboardException unauthenticated(String message) {
        return SwitchboardException.of(ErrorCode.UNAUTHENTICATED, message);
    }
}
