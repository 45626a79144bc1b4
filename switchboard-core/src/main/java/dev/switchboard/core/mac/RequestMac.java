package dev.switchboard.core.mac;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-request MAC of DESIGN.md section 5, version 1, shared by the API tier (verifies) and the SDK (signs).
 *
 * <ul>
 *   <li>Session key = HMAC-SHA256(cluster secret, {@code "sb-session-key-1\n" + sessionId}): any API node derives
 *       it, none stores it; allocate hands it to the client once.
 *   <li>Every call after allocate carries three HTTP headers: {@value #TIMESTAMP_HEADER} (epoch milliseconds),
 *       {@value #NONCE_HEADER} (16-64 characters of [A-Za-z0-9_-], never used before by that session) and {@value #MAC_HEADER} =
 *       base64url(HMAC-SHA256(session key, canonical request)).
 *   <li>Canonical request = {@code "SB-MAC-1\n" + sessionId + "\n" + timestamp + "\n" + nonce + "\n" +
 *       hex(SHA-256(HTTP body as sent, before gzip))}. The body holds the method name, the sequence numbers and
 *       the events, so the MAC covers all of them.
 * </ul>
 */
public final class RequestMac {
    public static final String TIMESTAMP_HEADER = "sb-timestamp";
    public static final String NONCE_HEADER = "sb-nonce";
    public static final String MAC_HEADER = "sb-mac";

    private static final String ALGORITHM = "HmacSHA256";
    private static final int MIN_NONCE = 16;
    private static final int MAX_NONCE = 64;

    /**
     * Nonces need to be unique, not secret (the MAC covers them): 96 random bits per process, then a counter.
     * Cheaper than 128 fresh random bits per request, which took a lock on the JDK's shared NativePRNG.
     */
    private static final String NONCE_PREFIX = randomPrefix();

    private static final AtomicLong NONCES = new AtomicLong();

    /** Looking up a Mac provider costs more than the MAC of a short text: one instance per thread. */
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JDK", e);
        }
    });

    private RequestMac() {}

    /** The MAC key of session {@code sessionId}. */
    public static byte[] sessionKey(byte[] clusterSecret, String sessionId) {
        return hmac(clusterSecret, ("sb-session-key-1\n" + sessionId).getBytes(StandardCharsets.UTF_8));
    }

    /** The {@value #MAC_HEADER} value for a request body. */
    public static String sign(byte[] sessionKey, String sessionId, long timestampMillis, String nonce, byte[] body) {
        return sign(
                sessionKey, sessionId, timestampMillis, nonce, HexFormat.of().formatHex(sha256(body)));
    }

    /** The {@value #MAC_HEADER} value, given the hex SHA-256 of the body. */
    public static String sign(
            byte[] sessionKey, String sessionId, long timestampMillis, String nonce, String bodySha256Hex) {
        String canonical = "SB-MAC-1\n" + sessionId + "\n" + timestampMillis + "\n" + nonce + "\n" + bodySha256Hex;
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(hmac(sessionKey, canonical.getBytes(StandardCharsets.UTF_8)));
    }

    /** A nonce never handed out before: this process's random prefix and a counter (17-29 characters). */
    public static String nonce() {
        return NONCE_PREFIX + Long.toString(NONCES.incrementAndGet(), Character.MAX_RADIX);
    }

    /** 16-64 characters of [A-Za-z0-9_-]. */
    public static boolean isValidNonce(String nonce) {
        if (nonce == null || nonce.length() < MIN_NONCE || nonce.length() > MAX_NONCE) {
            return false;
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            boolean valid =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!valid) {
                return false;
            }
        }
        return true;
    }

    private static String randomPrefix() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Constant-time comparison of two MAC header values. */
    public static boolean same(String expected, String actual) {
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), actual.getBytes(StandardCharsets.US_ASCII));
    }

    public static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 rejected its key", e);
        }
    }
}
