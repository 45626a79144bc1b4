package dev.switchboard.protocol.compress;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one rule for when compressing pays, wherever Switchboard compresses (LZ4 and gzip on the wire in the SDK and
 * the API, LZ4 in the backend's sealed envelope): a body pays when it shrinks by at least a fifth ({@link #pays}).
 * One instance follows one direction of one channel (or one slot of topics): bodies of at least {@code minBytes}
 * are compressed, but after one that did not pay (random, encrypted or already compressed payloads) the next
 * {@value #SKIP_AFTER_POOR} go as they are, then one is tried again. So incompressible traffic costs one compression
 * in a hundred, and compressible traffic is compressed throughout. Thread-safe.
 */
public final class CompressionPolicy {
    /**
     * A body that compresses to more than this share of its size is not worth compressing: random payloads with
     * their compressible per-event metadata (offsets, ids, traceparents) come out at about 0.85-0.9, and saving that
     * little does not pay for compressing and decompressing 500 KiB (or, in the envelope, for decompressing every
     * record on every read). Until 2026-12-05 the SDK's gzip took a tenth and the envelope an eighth as paying;
     * gzip then ran on every read answer of random payloads for a saving of just over a tenth.
     */
    public static final double PAYING_RATIO = 0.8;

    /** How many bodies go uncompressed after a poor result before compressing is tried again. */
    public static final int SKIP_AFTER_POOR = 100;

    private final int minBytes;
    private final AtomicInteger toSkip = new AtomicInteger();

    /** @param minBytes smaller bodies are never compressed */
    public CompressionPolicy(int minBytes) {
        this.minBytes = minBytes;
    }

    /** The rule: whether a body of {@code original} bytes that compressed to {@code compressed} bytes pays. */
    public static boolean pays(long original, long compressed) {
        return compressed <= original * PAYING_RATIO;
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
     * Reports how a compressed body came out ({@link #pays}); true when it pays (send the compressed bytes), false
     * when it does not (send the original; the next {@value #SKIP_AFTER_POOR} bodies are not compressed).
     */
    public boolean paid(int original, int compressed) {
        if (!pays(original, compressed)) {
            toSkip.set(SKIP_AFTER_POOR);
            return false;
        }
        return true;
    }

    /** Reports a body that was not compressed because it would not have paid (here or on the other side). */
    public void notCompressed() {
        toSkip.set(SKIP_AFTER_POOR);
    }
}
