package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;

/** Every output is a valid LZ4 block that lz4-java's safe decompressor (the envelope's reader) turns back exactly. */
class Lz4BlockCompressorTest {
    private static final LZ4SafeDecompressor DECOMPRESSOR =
            LZ4Factory.safeInstance().safeDecompressor();

    /** Compresses {@code input} at an offset into a buffer with bytes around it, and decompresses it again. */
    private static int roundTrip(byte[] input) {
        byte[] src = new byte[input.length + 7];
        System.arraycopy(input, 0, src, 3, input.length);
        int bound = Lz4BlockCompressor.maxCompressedLength(input.length);
        byte[] dest = new byte[5 + bound + 9];
        Arrays.fill(dest, (byte) 0x5a);
        int written = Lz4BlockCompressor.compress(src, 3, input.length, dest, 5);
        assertThat(written).isBetween(1, bound);
        assertThat(dest[5 + bound]).as("nothing written past the bound").isEqualTo((byte) 0x5a);
        byte[] plain = new byte[input.length];
        int length = DECOMPRESSOR.decompress(dest, 5, written, plain, 0, input.length);
        assertThat(length).isEqualTo(input.length);
        assertThat(plain).isEqualTo(input);
        return written;
    }

    @Test
    void compressibleTextShrinksAndComesBackExactly() {
        byte[] json = ("{\"order\":17,\"lines\":[" + "{\"sku\":\"A-1\",\"qty\":1},".repeat(60) + "{}]}")
                .getBytes(StandardCharsets.UTF_8);

        int written = roundTrip(json);

        assertThat(written).isLessThan(json.length / 5);
        // about as small as lz4-java's own compressor makes it
        int theirs = LZ4Factory.safeInstance().fastCompressor().compress(json).length;
        assertThat(written).isLessThanOrEqualTo(theirs + theirs / 10);
    }

    @Test
    void emptyTinyAndIncompressibleInputsComeBackExactly() {
        Random random = new Random(11);
        for (int length = 0; length <= 64; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            roundTrip(bytes);
            roundTrip(new byte[length]); // all zeros
        }
        byte[] large = new byte[200_000];
        random.nextBytes(large);
        roundTrip(large);
    }

    @Test
    void runsAtTheEndAndLongMatchesAndLiteralsKeepTheFormatsEndRules() {
        Random random = new Random(12);
        for (int length : new int[] {13, 14, 15, 16, 17, 19, 20, 255, 256, 270, 271, 1024, 65_535, 65_536, 70_000}) {
            byte[] zeros = new byte[length];
            roundTrip(zeros);
            byte[] tail = new byte[length];
            random.nextBytes(tail);
            Arrays.fill(tail, length / 2, length, (byte) 7); // a long match running to the end
            roundTrip(tail);
            byte[] head = new byte[length];
            random.nextBytes(head);
            Arrays.fill(head, 0, length / 2, (byte) 9); // a long match first, then literals to the end
            roundTrip(head);
        }
    }

    @Test
    void manyMixedInputsOnOneThreadReuseTheTableWithoutConfusingEarlierCalls() {
        Random random = new Random(13);
        byte[] alphabet = "abcdefgh{}\":,0123".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3_000; i++) {
            byte[] bytes = new byte[random.nextInt(3_000)];
            int kind = i % 3;
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = switch (kind) {
                    case 0 -> alphabet[random.nextInt(alphabet.length)];
                    case 1 -> (byte) random.nextInt();
                    default -> j > 0 && random.nextInt(8) != 0 ? bytes[j - 1] : (byte) random.nextInt(4);
                };
            }
            if (kind == 1 && bytes.length > 100) { // repeats far apart, within and beyond 64 KiB
                System.arraycopy(bytes, 0, bytes, bytes.length - 50, 50);
            }
            roundTrip(bytes);
        }
        byte[] far = new byte[140_000];
        random.nextBytes(far);
        System.arraycopy(far, 0, far, 66_000, 1_000); // a repeat beyond the 64 KiB an offset reaches
        System.arraycopy(far, 70_000, far, 120_000, 1_000); // and one within it
        roundTrip(far);
    }
}
