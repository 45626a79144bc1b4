package dev.switchboard.backend.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Whose writer state a record holds: the authenticated principal (empty without tokens), the topic and the
 * writer id. The same writer id under another principal or on another topic is another writer, so nobody can
 * reach, let alone poison, a writer of someone else or of another topic.
 *
 * <p>Encoded as the record key of {@code __switchboard_writers}: version byte 1, then each part as an unsigned
 * 16-bit length and its UTF-8 bytes.
 */
record WriterKey(String principal, String topic, String writerId) {
    private static final byte VERSION = 1;

    WriterKey {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(writerId, "writerId");
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(VERSION);
        for (String part : new String[] {principal, topic, writerId}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0xFFFF) {
                throw new IllegalArgumentException("writer key part longer than 65535 bytes");
            }
            out.write(bytes.length >>> 8);
            out.write(bytes.length & 0xFF);
            out.write(bytes, 0, bytes.length);
        }
        return out.toByteArray();
    }

    /** The key a record holds; empty for anything that is not a well-formed version 1 key. */
    static Optional<WriterKey> fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < 1 || bytes[0] != VERSION) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        String[] parts = new String[3];
        for (int i = 0; i < parts.length; i++) {
            if (in.remaining() < 2) {
                return Optional.empty();
            }
            int length = Short.toUnsignedInt(in.getShort());
            if (in.remaining() < length) {
                return Optional.empty();
            }
            parts[i] = StandardCharsets.UTF_8
                    .decode(in.slice(in.position(), length))
                    .toString();
            in.position(in.position() + length);
        }
        return in.hasRemaining() ? Optional.empty() : Optional.of(new WriterKey(parts[0], parts[1], parts[2]));
    }
}
