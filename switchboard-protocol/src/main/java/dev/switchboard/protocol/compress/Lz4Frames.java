package dev.switchboard.protocol.compress;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * LZ4 on the wire: HTTP bodies with {@code Content-Encoding: lz4} and compressed frames of the binary TCP
 * transport carry one <a href="https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md">LZ4 frame</a> (the
 * standard format, so any LZ4 library reads it): independent blocks of at most 64 KiB, the content size in the
 * header, no checksums (TCP and TLS carry the bytes intact; the request MAC covers the decompressed body).
 *
 * <p>Decoding is written for input from anyone: lz4-java's pure-Java safe decompressor (no JNI, no Unsafe), blocks of
 * at most {@value #MAX_BLOCK_BYTES} bytes (a frame announcing larger ones is refused before any buffer is made, so a
 * decoder holds two such buffers at most), exactly one frame and nothing after it, and a ceiling on the decompressed
 * bytes that the caller sets. Output buffers are always fresh (zeroed) arrays.
 */
public final class Lz4Frames {
    /** The HTTP content coding. */
    public static final String CODING = "lz4";

    /** The largest block a frame may announce. */
    public static final int MAX_BLOCK_BYTES = 64 * 1024;

    /** Bodies smaller than this are sent as they are: LZ4 would save too little to pay for itself. */
    public static final int MIN_BYTES = 2048;

    private static final int MAGIC = 0x184D2204;
    private static final int HEADER_PREFIX = 6; // magic, FLG, BD
    private static final int FLG_CONTENT_SIZE = 0x08;
    private static final int BD_64KB = 4;

    private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();
    private static final LZ4Compressor COMPRESSOR = LZ4.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();
    private static final XXHash32 HASH = XXHashFactory.safeInstance().hash32();

    private Lz4Frames() {}

    /** A body that decompresses to more bytes than allowed. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** {@code length} bytes of {@code data} from {@code offset} as one LZ4 frame. */
    public static byte[] compress(byte[] data, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 2));
        try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(
                out,
                LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                length,
                COMPRESSOR,
                HASH,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE)) {
            lz4.write(data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory LZ4 failed", e); // cannot happen with byte arrays
        }
        return out.toByteArray();
    }

    public static byte[] compress(byte[] data) {
        return compress(data, 0, data.length);
    }

    /** The remaining bytes of {@code data} as one LZ4 frame (copied out first when it has no accessible array). */
    public static byte[] compress(ByteBuffer data) {
        if (data.hasArray()) {
            return compress(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return compress(copy);
    }

    /**
     * The decompressed size a frame announces in its header, or -1 when it announces none.
     *
     * @throws IOException when {@code frame} does not start like an LZ4 frame this side accepts
     */
    public static long declaredSize(byte[] frame) throws IOException {
        checkPrefix(frame, frame.length);
        if ((frame[4] & FLG_CONTENT_SIZE) == 0) {
            return -1;
        }
        if (frame.length < HEADER_PREFIX + 8) {
            throw new IOException("truncated LZ4 frame header");
        }
        long size = 0;
        for (int i = 7; i >= 0; i--) {
            size = (size << 8) | (frame[HEADER_PREFIX + i] & 0xff);
        }
        return size;
    }

    /**
     * Decompresses one whole frame of at most {@code maxBytes} decompressed bytes.
     *
     * @throws TooLargeException past {@code maxBytes}
     * @throws IOException when {@code frame} is not exactly one valid LZ4 frame
     */
    public static byte[] decompress(byte[] frame, int maxBytes) throws IOException {
        long declared = declaredSize(frame);
        if (declared > maxBytes) {
            throw new TooLargeException("the LZ4 body decompresses to " + declared + " bytes, more than " + maxBytes);
        }
        try (InputStream in = decoding(new ByteArrayInputStream(frame))) {
            if (declared >= 0) {
                byte[] plain = new byte[(int) declared];
                if (in.readNBytes(plain, 0, plain.length) != plain.length || in.read() != -1) {
                    throw new IOException("the LZ4 frame's content is not of its declared size");
                }
                return plain;
            }
            byte[] plain = in.readNBytes(maxBytes);
            if (in.read() != -1) {
                throw new TooLargeException("the LZ4 body decompresses to more than " + maxBytes + " bytes");
            }
            return plain;
        }
    }

    /**
     * Decompresses one whole frame into {@code into}, whose length must be the size the frame declares (see
     * {@link #declaredSize}): for a caller that accounts for the buffer before it is filled.
     *
     * @throws IOException when {@code frame} is not exactly one valid LZ4 frame of that size
     */
    public static void decompress(byte[] frame, byte[] into) throws IOException {
        if (declaredSize(frame) != into.length) {
            throw new IOException("the LZ4 frame does not declare " + into.length + " bytes");
        }
        try (InputStream in = decoding(new ByteArrayInputStream(frame))) {
            if (in.readNBytes(into, 0, into.length) != into.length || in.read() != -1) {
                throw new IOException("the LZ4 frame's content is not of its declared size");
            }
        }
    }

    /**
     * The decompressed bytes of the one LZ4 frame {@code in} carries (an {@link IOException} from its reads when it
     * is not one, or when anything follows it). The caller bounds how much it reads.
     */
    public static InputStream decoding(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(HEADER_PREFIX);
        checkPrefix(prefix, prefix.length);
        LZ4FrameInputStream frame;
        try {
            frame = new LZ4FrameInputStream(
                    new SequenceInputStream(new ByteArrayInputStream(prefix), in), DECOMPRESSOR, HASH, true);
        } catch (RuntimeException e) {
            throw new IOException("corrupt LZ4 frame header: " + e.getMessage(), e);
        }
        // an InputStream of its own (not a FilterInputStream, whose bulk reads may go around these checks)
        return new InputStream() {
            @Override
            public int read() throws IOException {
                int read;
                try {
                    read = frame.read();
                } catch (RuntimeException e) { // lz4-java's LZ4Exception on corrupt blocks
                    throw new IOException("corrupt LZ4 block: " + e.getMessage(), e);
                }
                if (read < 0) {
                    nothingAfter();
                }
                return read;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int read;
                try {
                    read = frame.read(buffer, offset, length);
                } catch (RuntimeException e) { // lz4-java's LZ4Exception on corrupt blocks
                    throw new IOException("corrupt LZ4 block: " + e.getMessage(), e);
                }
                if (read < 0) {
                    nothingAfter();
                }
                return read;
            }

            private void nothingAfter() throws IOException {
                if (in.read() != -1) {
                    throw new IOException("bytes after the LZ4 frame");
                }
            }

            @Override
            public void close() throws IOException {
                frame.close();
            }
        };
    }

    private static void checkPrefix(byte[] bytes, int length) throws IOException {
        if (length < HEADER_PREFIX) {
            throw new IOException("not an LZ4 frame: too short");
        }
        int magic = (bytes[0] & 0xff) | (bytes[1] & 0xff) << 8 | (bytes[2] & 0xff) << 16 | (bytes[3] & 0xff) << 24;
        if (magic != MAGIC) {
            throw new IOException("not an LZ4 frame: wrong magic number");
        }
        int blockSize = (bytes[5] >> 4) & 0x07;
        if (blockSize != BD_64KB) {
            throw new IOException("LZ4 frames on the wire use blocks of at most 64 KiB");
        }
    }
}
