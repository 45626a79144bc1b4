package dev.switchboard.core.cursor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The cursor codec: round trips, and every malformed, forged or altered cursor is an INVALID_REQUEST. */
class CursorCodecTest {
    static final byte[] SECRET = "0123456789abcdef-cluster-secret".getBytes(StandardCharsets.US_ASCII);

    private final CursorCodec codec = new CursorCodec(SECRET);

    @Test
    void aCursorRoundTrips() {
        // Given
        Cursor cursor = Cursor.of("orders", Map.of(0, 42L, 3, 7L));

        // When
        String encoded = codec.encode(cursor);

        // Then the text is plain base64url and decodes to the same cursor
        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        assertThat(codec.decode(encoded)).isEqualTo(cursor);
    }

    @Test
    void aCursorWithManyPartitionsAndAUnicodeTopicRoundTrips() {
        // Given 1000 partitions and a topic with accents, CJK and an emoji (a surrogate pair)
        TreeMap<Integer, Long> offsets = new TreeMap<>();
        for (int partition = 0; partition < 1000; partition++) {
            offsets.put(partition, Long.MAX_VALUE - partition);
        }
        Cursor cursor = new Cursor("événements-订单-\uD83D\uDE80", offsets);

        // When
        Cursor decoded = codec.decode(codec.encode(cursor));

        // Then
        assertThat(decoded).isEqualTo(cursor);
        assertThat(decoded.offsets()).hasSize(1000);
    }

    @Test
    void aCursorWithoutPartitionsRoundTrips() {
        Cursor cursor = Cursor.of("empty", Map.of());

        assertThat(codec.decode(codec.encode(cursor))).isEqualTo(cursor);
    }

    @Test
    void anotherClusterNodeWithTheSameSecretDecodes() {
        // Given a cursor made by one node
        String encoded = codec.encode(Cursor.of("orders", Map.of(1, 5L)));

        // When a second codec with a copy of the secret decodes it
        Cursor decoded = new CursorCodec(SECRET.clone()).decode(encoded);

        // Then
        assertThat(decoded).isEqualTo(Cursor.of("orders", Map.of(1, 5L)));
    }

    @Test
    void aCursorMadeWithAnotherSecretIsRejected() {
        // Given
        String foreign = new CursorCodec("another-cluster-secret!".getBytes(StandardCharsets.US_ASCII))
                .encode(Cursor.of("orders", Map.of(0, 42L)));

        // When / Then
        assertInvalid(foreign);
    }

    @Test
    void theCodecKeepsItsOwnCopyOfTheSecret() {
        // Given a codec whose caller later wipes the secret array
        byte[] secret = SECRET.clone();
        CursorCodec wiped = new CursorCodec(secret);
        java.util.Arrays.fill(secret, (byte) 0);

        // When / Then it still decodes cursors made with the real secret
        assertThat(wiped.decode(codec.encode(Cursor.of("t", Map.of(0, 1L))))).isEqualTo(Cursor.of("t", Map.of(0, 1L)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                " ",
                "a",
                "AAAA",
                "!!!!",
                "not a cursor",
                "é",
                "AQAGb3JkZXJz", // a plausible start, far too short
                "AQAGb3JkZXJzAAAAAQAAAAAAAAAAAAAAKg", // a body without any tag
                "++//++//++//++//++//++//++//++//++//++//++//++//++//++//", // standard, not url, alphabet
            })
    void garbageIsRejectedCleanly(String text) {
        assertInvalid(text);
    }

    @Test
    void randomBytesOfAPlausibleLengthAreRejected() {
        // Given random bytes that start with the right version byte
        byte[] bytes = new byte[1 + 2 + 6 + 4 + 12 + 32];
        new java.util.Random(7).nextBytes(bytes);
        bytes[0] = 1;

        // When / Then
        assertInvalid(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    @Test
    void anyOtherSpellingOfTheSameBytesIsRejected() {
        // Given a valid cursor whose byte length leaves unused bits in the last base64 character
        String encoded = codec.encode(Cursor.of("orders-x", Map.of(0, 42L)));
        assertThat(encoded.length() % 4).isNotZero();

        // When it is padded, or its last character changed in the unused bits only
        String padded = encoded + "=".repeat(4 - encoded.length() % 4);
        char last = encoded.charAt(encoded.length() - 1);
        String sameBytes = encoded.substring(0, encoded.length() - 1) + alphabetNeighbour(last);

        // Then both are rejected, though the JDK decoder reads them as the same bytes
        assertThat(Base64.getUrlDecoder().decode(sameBytes))
                .isEqualTo(Base64.getUrlDecoder().decode(encoded));
        assertInvalid(padded);
        assertInvalid(sameBytes);
    }

    @Test
    void aTruncatedOrExtendedCursorIsRejected() {
        String encoded = codec.encode(Cursor.of("orders", Map.of(0, 42L, 1, 9L)));

        assertInvalid(encoded.substring(0, encoded.length() - 1));
        assertInvalid(encoded.substring(0, encoded.length() - 4));
        assertInvalid(encoded.substring(4));
        assertInvalid(encoded + "A");
        assertInvalid(encoded + "AAAA");
        assertInvalid(encoded + encoded);
    }

    @Test
    void correctlySignedButMalformedContentIsRejected() {
        // Given bodies tagged with the real secret, as only a bug or a leaked secret could make them
        ByteBuffer unknownVersion = body(2, "orders".getBytes(StandardCharsets.UTF_8), 1, 0, 5L);
        ByteBuffer countTooHigh = body(1, "orders".getBytes(StandardCharsets.UTF_8), 2, 0, 5L);
        ByteBuffer countNegative = body(1, "orders".getBytes(StandardCharsets.UTF_8), -1, 0, 5L);
        ByteBuffer negativeOffset = body(1, "orders".getBytes(StandardCharsets.UTF_8), 1, 0, -5L);
        ByteBuffer negativePartition = body(1, "orders".getBytes(StandardCharsets.UTF_8), 1, -3, 5L);
        ByteBuffer emptyTopic = body(1, new byte[0], 1, 0, 5L);
        ByteBuffer badUtf8 = body(1, new byte[] {(byte) 0xC3, (byte) 0x28}, 1, 0, 5L);
        ByteBuffer topicPastTheEnd =
                ByteBuffer.allocate(7).put((byte) 1).putShort((short) 500).putInt(0);

        // When / Then
        for (ByteBuffer body : new ByteBuffer[] {
            unknownVersion,
            countTooHigh,
            countNegative,
            negativeOffset,
            negativePartition,
            emptyTopic,
            badUtf8,
            topicPastTheEnd
        }) {
            assertInvalid(signed(body));
        }
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new CursorCodec(new byte[15]))
                .withMessageContaining("16 bytes");
        assertThat(new CursorCodec(new byte[16]).encode(Cursor.of("t", Map.of())))
                .isNotEmpty();
    }

    @Test
    void aCursorTooLargeForTheFormatIsRefusedRatherThanTruncated() {
        // Given a topic name whose UTF-8 form does not fit the 16-bit length, and too many partitions
        Cursor longTopic = Cursor.of("x".repeat(65_536), Map.of(0, 1L));
        TreeMap<Integer, Long> offsets = new TreeMap<>();
        for (int partition = 0; partition <= 100_000; partition++) {
            offsets.put(partition, 0L);
        }
        Cursor manyPartitions = new Cursor("t", offsets);

        // When / Then
        assertThatIllegalArgumentException().isThrownBy(() -> codec.encode(longTopic));
        assertThatIllegalArgumentException().isThrownBy(() -> codec.encode(manyPartitions));
        Cursor longest = Cursor.of("x".repeat(65_535), Map.of(0, 1L));
        assertThat(codec.decode(codec.encode(longest))).isEqualTo(longest);
    }

    /** Asserts that decoding {@code text} fails with INVALID_REQUEST and nothing else. */
    static void assertInvalid(CursorCodec codec, String text) {
        Throwable thrown = catchThrowable(() -> codec.decode(text));
        assertThat(thrown).as("decoding %s", text).isInstanceOf(SwitchboardException.class);
        assertThat(((SwitchboardException) thrown).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(thrown.getMessage()).startsWith("cursor");
    }

    private void assertInvalid(String text) {
        assertInvalid(codec, text);
    }

    private static char alphabetNeighbour(char c) {
        // the character whose 6-bit value differs only in the lowest bit, which a 2- or 3-character tail ignores
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet.charAt(alphabet.indexOf(c) ^ 1);
    }

    private static ByteBuffer body(int version, byte[] topic, int count, int partition, long offset) {
        return ByteBuffer.allocate(1 + 2 + topic.length + 4 + 12)
                .put((byte) version)
                .putShort((short) topic.length)
                .put(topic)
                .putInt(count)
                .putInt(partition)
                .putLong(offset);
    }

    private static String signed(ByteBuffer body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
            byte[] content = java.util.Arrays.copyOf(body.array(), body.position());
            byte[] tag = mac.doFinal(content);
            byte[] all = ByteBuffer.allocate(content.length + tag.length)
                    .put(content)
                    .put(tag)
                    .array();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(all);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
