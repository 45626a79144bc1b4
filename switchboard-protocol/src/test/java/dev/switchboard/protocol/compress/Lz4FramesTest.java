package dev.switchboard.protocol.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Test;

class Lz4FramesTest {
    private static byte[] json(int events) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events; i++) {
            text.append("{\"order\":")
                    .append(i)
                    .append(",\"customer\":\"c-")
                    .append(i % 97)
                    .append("\",\"items\":[{\"sku\":\"A-1\",\"qty\":2}],\"status\":\"NEW\"}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFrameRoundTripsAndIsTheStandardFormat() throws IOException {
        byte[] plain = json(2000); // past one 64 KiB block
        byte[] frame = Lz4Frames.compress(plain);

        assertThat(frame.length).isLessThan(plain.length / 2);
        assertThat(Lz4Frames.declaredSize(frame)).isEqualTo(plain.length);
        assertThat(Lz4Frames.decompress(frame, plain.length)).isEqualTo(plain);
        byte[] into = new byte[plain.length];
        Lz4Frames.decompress(frame, into);
        assertThat(into).isEqualTo(plain);
        // any LZ4 frame reader reads it (here lz4-java's own, with its defaults)
        try (InputStream standard = new LZ4FrameInputStream(new ByteArrayInputStream(frame))) {
            assertThat(standard.readAllBytes()).isEqualTo(plain);
        }
    }

    @Test
    void aBodyDecompressingPastTheLimitIsRefused() {
        byte[] frame = Lz4Frames.compress(new byte[100_000]);

        assertThatThrownBy(() -> Lz4Frames.decompress(frame, 99_999))
                .isInstanceOf(Lz4Frames.TooLargeException.class)
                .hasMessageContaining("100000");
        assertThatThrownBy(() -> Lz4Frames.decompress(frame, new byte[99_999])).isInstanceOf(IOException.class);
    }

    @Test
    void aStreamDecodesOnlyUpToWhatTheCallerReads() throws IOException {
        byte[] frame = Lz4Frames.compress(new byte[1 << 20]);
        try (InputStream in = Lz4Frames.decoding(new ByteArrayInputStream(frame))) {
            assertThat(in.readNBytes(1000)).hasSize(1000);
        }
    }

    @Test
    void framesWithLargerBlocksThanSixtyFourKibAreRefusedBeforeDecoding() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB)) {
            lz4.write(json(10));
        }

        assertThatThrownBy(() -> Lz4Frames.decompress(out.toByteArray(), 1 << 20))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("64 KiB");
    }

    @Test
    void garbageTruncationAndTrailingBytesAreIoErrors() {
        byte[] frame = Lz4Frames.compress(json(100));
        byte[] garbage = new byte[200];
        new Random(3).nextBytes(garbage);
        byte[] corrupt = frame.clone(); // the first block's size (after the 15-byte header) past any block
        corrupt[15] = (byte) 0xff;
        corrupt[16] = (byte) 0xff;
        corrupt[17] = (byte) 0x0f;
        byte[] trailing = Arrays.copyOf(frame, frame.length + 3);

        for (byte[] bad : new byte[][] {
            garbage, Arrays.copyOf(frame, frame.length - 10), Arrays.copyOf(frame, 4), corrupt, trailing
        }) {
            assertThatThrownBy(() -> Lz4Frames.decompress(bad, 1 << 20)).isInstanceOf(IOException.class);
        }
    }
}
