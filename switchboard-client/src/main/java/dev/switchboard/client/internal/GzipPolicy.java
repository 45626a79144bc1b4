package dev.switchboard.client.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides when gzip pays. Bodies above the threshold are compressed, but when a compressed body came out barely
 * smaller (random, encrypted or already compressed payloads), the next {@link #SKIP_AFTER_POOR} bodies go
 * uncompressed and then one is tried again. The same holds for answers: while gzipped answers do not shrink, the
 * channel stops asking for them. Compressing a 500 KiB chunk of incompressible data costs tens of milliseconds
 * of CPU at each end (see switchboard-benchmarks' {@code ThriftBenchmark}) and saves nothing. Thread-safe.
 */
final class GzipPolicy {
    /** A body that compresses to more than this share of its size is not worth compressing. */
    static final double POOR_RATIO = 0.9;

    /** How many bodies go uncompressed after a poor result before gzip is tried again. */
    static final int SKIP_AFTER_POOR = 100;

    private final int threshold;
    private final AtomicInteger requestsToSkip = new AtomicInteger();
    private final AtomicInteger answersToSkip = new AtomicInteger();

    GzipPolicy(int threshold) {
        this.threshold = threshold;
    }

    /** Whether to compress a request body of {@code length} bytes. */
    boolean compressRequest(int length) {
        return length > threshold && !skip(requestsToSkip);
    }

    /** Reports how a compressed request body came out. */
    void requestCompressed(int original, int compressed) {
        if (poor(original, compressed)) {
            requestsToSkip.set(SKIP_AFTER_POOR);
        }
    }

    /** Whether to ask for a gzipped answer. */
    boolean acceptGzipAnswer() {
        return !skip(answersToSkip);
    }

    /** Reports how a gzipped answer came out. */
    void answerDecompressed(int compressed, int original) {
        if (poor(original, compressed)) {
            answersToSkip.set(SKIP_AFTER_POOR);
        }
    }

    private static boolean poor(int original, int compressed) {
        return compressed > original * POOR_RATIO;
    }

    /** Counts one body down; true while bodies are still to be skipped. */
    private static boolean skip(AtomicInteger toSkip) {
        return toSkip.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
    }
}
