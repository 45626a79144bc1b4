package dev.switchboard.bench;

import java.io.PrintWriter;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Counts the events of a running phase and, on a daemon thread, prints a progress line to standard error every
 * two seconds, so long runs show they are moving. Close it when the phase ends.
 */
final class Progress implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 2000;
    private final LongAdder done = new LongAdder();
    private final @Nullable Thread printer;
    private volatile long lastProgress = System.nanoTime();

    private Progress() {
        printer = null;
    }

    /** Counts without printing. */
    static Progress silent() {
        return new Progress();
    }

    Progress(String label, long total, PrintWriter err) {
        long start = System.nanoTime();
        printer = Thread.ofPlatform().daemon().name("bench-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(INTERVAL_MILLIS);
                    long count = done.sum();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    err.printf(
                            "[%s] %d/%d events (%.0f%%), %.0f events/s%n",
                            label, count, total, 100.0 * count / total, count / seconds);
                    err.flush();
                }
            } catch (InterruptedException e) {
                // the phase ended
            }
        });
    }

    void add(long events) {
        done.add(events);
        lastProgress = System.nanoTime();
    }

    /** How long no events were counted. */
    long stalledNanos() {
        return System.nanoTime() - lastProgress;
    }

    long done() {
        return done.sum();
    }

    @Override
    public void close() {
        if (printer != null) {
            printer.interrupt();
        }
    }
}
