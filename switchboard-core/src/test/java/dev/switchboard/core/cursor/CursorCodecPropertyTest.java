package dev.switchboard.core.cursor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any cursor round trips, and any single change to an encoded cursor is an INVALID_REQUEST. */
class CursorCodecPropertyTest {
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private final CursorCodec codec = new CursorCodec(CursorCodecTest.SECRET);

    @Property(tries = 300)
    void everyCursorRoundTrips(@ForAll("cursors") Cursor cursor) {
        assertThat(codec.decode(codec.encode(cursor))).isEqualTo(cursor);
    }

    @Property(tries = 100)
    void everySingleFlippedBitInTheTextIsRejected(@ForAll("cursors") Cursor cursor) {
        // Given an encoded cursor
        String encoded = codec.encode(cursor);

        // When each bit of each character is flipped in turn (bits 0-7, and bit 15 for a non-Latin-1 character)
        List<String> accepted = new ArrayList<>();
        for (int index = 0; index < encoded.length(); index++) {
            for (int bit : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 15}) {
                String tampered = withCharAt(encoded, index, (char) (encoded.charAt(index) ^ (1 << bit)));
                if (!rejectedCleanly(tampered)) {
                    accepted.add(tampered);
                }
            }
        }

        // Then every one is an INVALID_REQUEST
        assertThat(accepted)
                .as("tampered cursors not rejected with INVALID_REQUEST")
                .isEmpty();
    }

    @Property(tries = 30)
    void everyReplacedCharacterIsRejected(@ForAll("cursors") Cursor cursor) {
        // Given an encoded cursor
        String encoded = codec.encode(cursor);

        // When each character is replaced by each other base64url character in turn
        List<String> accepted = new ArrayList<>();
        for (int index = 0; index < encoded.length(); index++) {
            for (char replacement : BASE64URL.toCharArray()) {
                if (replacement != encoded.charAt(index)) {
                    String tampered = withCharAt(encoded, index, replacement);
                    if (!rejectedCleanly(tampered)) {
                        accepted.add(tampered);
                    }
                }
            }
        }

        // Then every one is an INVALID_REQUEST
        assertThat(accepted)
                .as("tampered cursors not rejected with INVALID_REQUEST")
                .isEmpty();
    }

    @Property(tries = 100)
    void everySingleFlippedBitInTheBytesIsRejected(@ForAll("cursors") Cursor cursor) {
        // Given the bytes of an encoded cursor
        byte[] bytes = Base64.getUrlDecoder().decode(codec.encode(cursor));

        // When each bit is flipped in turn and the bytes re-encoded properly
        List<String> accepted = new ArrayList<>();
        for (int index = 0; index < bytes.length; index++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] copy = bytes.clone();
                copy[index] ^= (byte) (1 << bit);
                String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(copy);
                if (!rejectedCleanly(tampered)) {
                    accepted.add(tampered);
                }
            }
        }

        // Then the tag gives every one away
        assertThat(accepted)
                .as("tampered cursors not rejected with INVALID_REQUEST")
                .isEmpty();
    }

    /** True when decoding fails with INVALID_REQUEST; false when it is accepted or fails any other way. */
    private boolean rejectedCleanly(String text) {
        try {
            codec.decode(text);
            return false;
        } catch (SwitchboardException e) {
            return e.code() == ErrorCode.INVALID_REQUEST;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String withCharAt(String text, int index, char c) {
        return text.substring(0, index) + c + text.substring(index + 1);
    }

    @Provide
    Arbitrary<Cursor> cursors() {
        // topic names from ASCII, Latin-1, CJK and emoji (as whole code points: a lone surrogate is no name)
        Arbitrary<String> topics = Arbitraries.strings()
                .withCharRange('!', '~')
                .withCharRange('\u00a0', '\u00ff')
                .withCharRange('\u4e00', '\u4e3f')
                .withChars("\uD83D\uDE80")
                .ofMinLength(1)
                .ofMaxLength(24)
                .filter(CursorCodecPropertyTest::noLoneSurrogate);
        Arbitrary<java.util.Map<Integer, Long>> offsets = Arbitraries.maps(
                        Arbitraries.integers().between(0, 100_000),
                        Arbitraries.longs().between(0, Long.MAX_VALUE))
                .ofMaxSize(8);
        return Combinators.combine(topics, offsets).as(Cursor::of);
    }

    private static boolean noLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1)))) {
                return false;
            }
            if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
                return false;
            }
        }
        return true;
    }
}
