package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time of the JIT compiler's threads, which the process CPU includes: large while the JVM is still warming up,
 * so it tells whether a phase's CPU is the code under test or the JIT compiling it. HotSpot hides its compiler
 * threads from {@link java.lang.management.ThreadMXBean}, so this reads Linux's {@code /proc/self/task/<tid>/stat}
 * of the threads named {@code C1 CompilerThre...} / {@code C2 CompilerThre...}; empty elsewhere.
 */
final class JitCpu {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** /proc counts in USER_HZ clock ticks, 100 per second on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000;

    private JitCpu() {}

    /** CPU nanoseconds of each compiler thread of this process alive now, by thread id; empty without /proc. */
    static Optional<Map<String, Long>> snapshot() {
        return snapshot(TASKS);
    }

    /** As {@link #snapshot()} for another process, {@code /proc/<pid>/task}. */
    static Optional<Map<String, Long>> snapshot(long pid) {
        return snapshot(Path.of("/proc", Long.toString(pid), "task"));
    }

    /** CPU nanoseconds of each compiler thread in a {@code /proc/<pid>/task} directory, by thread id. */
    static Optional<Map<String, Long>> snapshot(Path taskDirectory) {
        if (!Files.isDirectory(taskDirectory)) {
            return Optional.empty();
        }
        Map<String, Long> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDirectory)) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8);
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        threads.put(task.getFileName().toString(), cpuNanos(Files.readString(task.resolve("stat"))));
                    }
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
        return Optional.of(threads);
    }

    /**
     * The compiler threads' CPU between two snapshots. A compiler thread that ended in between (HotSpot stops idle
     * extra ones) takes its share with it, so this is a lower bound.
     */
    static long between(Map<String, Long> start, Map<String, Long> end) {
        long nanos = 0;
        for (Map.Entry<String, Long> thread : end.entrySet()) {
            nanos += Math.max(0, thread.getValue() - start.getOrDefault(thread.getKey(), 0L));
        }
        return nanos;
    }

    /** utime + stime of one stat line; the fields after the parenthesised name start with the state (field 3). */
    static long cpuNanos(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    }
}
