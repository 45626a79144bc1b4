package dev.switchboard.core.cursor;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes cursors as opaque, tamper-evident strings: base64url of
 * {@code version(1) | topicLength(2) | topic(UTF-8) | count(4) | (partition(4) offset(8))* | tag(32)}, where the
 * tag is HMAC-SHA256 over everything before it, keyed with the cluster secret. Any node holding the secret
 * can decode a cursor any other node made.
 */
public final class CursorCodec {
    private static final byte VERSION = 1;
    private static final int TAG_BYTES = 32;
    private static final int MAX_PARTITIONS = 100_000;
    private static final int MAX_TOPIC_BYTES = 0xFFFF;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;

    public CursorCodec(byte[] clusterSecret) {
        if (clusterSecret.length < 16) {
            throw new IllegalArgumentException("cluster secret must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(clusterSecret.clone(), ALGORITHM);
    }

    /** Encodes a cursor; one whose topic or partition count does not fit the format is refused, never truncated. */
    public String encode(Cursor cursor) {
        byte[] topic = cursor.topic().getBytes(StandardCharsets.UTF_8);
        if (topic.length > MAX_TOPIC_BYTES || cursor.offsets().size() > MAX_PARTITIONS) {
            throw new IllegalArgumentException("cursor too large to encode: topic of %d bytes, %d partitions"
                    .formatted(topic.length, cursor.offsets().size()));
        }
        ByteBuffer body =
                ByteBuffer.allocate(1 + 2 + topic.length + 4 + cursor.offsets().size() * 12 + TAG_BYTES);
        body.put(VERSION)
                .putShort((short) topic.length)
                .put(topic)
                .putInt(cursor.offsets().size());
        cursor.offsets().forEach((partition, offset) -> body.putInt(partition).putLong(offset));
        body.put(tag(body.array(), body.position()));
        return ENCODER.encodeToString(body.array());
    }

    /** Decodes a client-supplied cursor; anything malformed or tampered with is an INVALID_REQUEST. */
    public Cursor decode(String text) {
        if (text == null) {
            throw invalid("cursor is missing");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw invalid("cursor is not base64url");
        }
        // The JDK decoder ignores the unused low bits of the last character and accepts padding, so several
        // strings decode to the same bytes; only the one string we issue is accepted.
        if (!ENCODER.encodeToString(bytes).equals(text)) {
            throw invalid("cursor is not base64url");
        }
        if (bytes.length < 1 + 2 + 4 + TAG_BYTES || bytes[0] != VERSION) {
            throw invalid("cursor is malformed or of an unknown version");
        }
        int bodyLength = bytes.length - TAG_BYTES;
        byte[] expected = tag(bytes, bodyLength);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(bytes, bodyLength, bytes.length))) {
            throw invalid("cursor was not issued by this cluster or was altered");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, bodyLength - 1);
            byte[] topic = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(topic);
            int count = in.getInt();
            if (count < 0 || count > MAX_PARTITIONS || in.remaining() != count * 12) {
                throw invalid("cursor is malformed");
            }
            TreeMap<Integer, Long> offsets = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                offsets.put(in.getInt(), in.getLong());
            }
            String topicName = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(topic))
                    .toString();
            return new Cursor(topicName, offsets);
        } catch (BufferUnderflowException | CharacterCodingException | IllegalArgumentException e) {
            throw invalid("cursor is malformed");
        }
    }

    private byte[] tag(byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static SwitchboardException invalid(String message) {
        return SwitchboardException.of(ErrorCode.INVALID_REQUEST, message);
    }
}
