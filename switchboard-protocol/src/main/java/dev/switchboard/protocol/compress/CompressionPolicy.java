package dev.switchboard.protocol.compress;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides when compressing pays, for one direction of one channel: bodies of at least {@code minBytes} are
 * compressed, but after one came out barely smaller (random, encrypted or already compressed payloads: more than
 * {@value #POOR_RATIO} of its size) the next {@value #SKIP_AFTER_POOR} go as they are, then one is tried again. So
 * incompressible traffic costs one compression in a hundred, and compressible traffic is compressed throughout.
 * Thread-safe.
 */
public final class CompressionPolicy {
    /**
     * A body that compresses to more than this share of its size is not worth compressing: random payloads with
     * their compressible per-event metadata (offsets, ids, traceparents) come out at about 0.85-0.9, and saving that
     * little does not pay for compressing and decompressing 500 KiB.
     */
    public static final double POOR_RATIO = 0.8;

    /** How many bodies go uncompressed after a poor result before compressing is tried again. */
    public static final int SKIP_AFTER_POOR = 100;

    private final int minBytes;
    private final double poorRatio;
    private final AtomicInteger toSkip = new AtomicInteger();

    public CompressionPolicy(int minBytes) {
        this(minBytes, POOR_RATIO);
    }

    /** @param poorRatio a body compressing to more than this share of its size is a poor result */
    public CompressionPolicy(int minBytes, double poorRatio) {
        this.minBytes = minBytes;
        this.poorRatio = poorRatio;
    }

    /** Whether to compress a body of {@code length} bytes (counts one body down while skipping). */
    public boolean compress(int length) {
        return length >= minBytes && toSkip.getAndUpdate(left -> Math.max(0, left - 1)) == 0;
    }

    /** Whether to try compression now, whatever the size (asking for compressed answers; counts one down). */
    public boolean tryNow() {
        return toSkip.getAndUpdate(left -> Math.max(0, left - 1)) == 0;
    }

    /**
     * Reports how a compressed body came out; true when it pays (send the compressed bytes), false when it does
     * not (send the original; the next bodies are not compressed).
     */
    public boolean paid(int original, int compressed) {
        if (compressed > original * poorRatio) {
            toSkip.set(SKIP_AFTER_POOR);
            return false;
        }
        return true;
    }

    /** Reports a body that the other side chose not to compress (so it did not pay there). */
    public void notCompressed() {
        toSkip.set(SKIP_AFTER_POOR);
    }

    public static boolean poor(int original, int compressed) {
        return compressed > original * POOR_RATIO;
    }
}
