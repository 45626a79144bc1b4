package dev.switchboard.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latency recording shared by the loads: microseconds, up to ten minutes, three significant digits. */
final class Latencies {
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private Latencies() {}

    /** A histogram that may be recorded into from several threads (Kafka callbacks, SDK futures, sessions). */
    static Histogram histogram() {
        return new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
    }

    /** Records {@code count} events that each took from {@code startNanos} until now. */
    static void record(Histogram histogram, long startNanos, long count) {
        long micros = Math.max(1, Math.min(HIGHEST_MICROS, (System.nanoTime() - startNanos) / 1000));
        histogram.recordValueWithCount(micros, count);
    }
}
