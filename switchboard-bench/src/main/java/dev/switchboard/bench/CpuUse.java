package dev.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CPU use on Linux from {@code /proc}: of the whole machine ({@code /proc/stat}), of given processes ({@code
 * /proc/<pid>/stat}, utime + stime) and of a cgroup v1 cpu group's throttling ({@code cpu.stat}). A {@link
 * Snapshot} taken before and after a phase gives each one's cores used in between. Missing files (another OS, a
 * process that exited) read as unknown, never as zero.
 */
final class CpuUse {
    /** /proc counts in USER_HZ clock ticks, 100 per second on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000;

    private static final Path PROC = Path.of("/proc");

    private CpuUse() {}

    /**
     * What was read at one moment.
     *
     * @param nanos {@link System#nanoTime()}
     * @param machineBusy machine-wide busy ticks (everything but idle and iowait), summed over cores
     * @param machineTotal machine-wide ticks, summed over cores
     * @param processes CPU nanoseconds of each process by pid, for the processes that could be read
     * @param throttled nr_throttled and nr_periods of each cpu group by path
     * @param compilers CPU nanoseconds of each JIT compiler thread ({@link JitCpu}) of the processes asked for, by
     *     pid
     */
    record Snapshot(
            long nanos,
            long machineBusy,
            long machineTotal,
            Map<Long, Long> processes,
            Map<Path, long[]> throttled,
            Map<Long, Map<String, Long>> compilers) {}

    static Snapshot snapshot(List<Long> pids, List<Path> groups) {
        return snapshot(pids, groups, List.of());
    }

    /** As {@link #snapshot(List, List)}, and the JIT compiler threads of {@code compilerPids}. */
    static Snapshot snapshot(List<Long> pids, List<Path> groups, List<Long> compilerPids) {
        long busy = -1;
        long total = -1;
        try {
            String[] cpu =
                    Files.readAllLines(PROC.resolve("stat")).getFirst().trim().split("\\s+");
            total = 0;
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            // user nice system idle iowait irq softirq steal ...
            busy = total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]);
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        Map<Long, Long> processes = new HashMap<>();
        for (long pid : pids) {
            processNanos(pid).ifPresent(nanos -> processes.put(pid, nanos));
        }
        Map<Path, long[]> throttled = new HashMap<>();
        for (Path group : groups) {
            throttling(group).ifPresent(counts -> throttled.put(group, counts));
        }
        Map<Long, Map<String, Long>> compilers = new HashMap<>();
        for (long pid : compilerPids) {
            JitCpu.snapshot(pid).ifPresent(threads -> compilers.put(pid, threads));
        }
        return new Snapshot(System.nanoTime(), busy, total, processes, throttled, compilers);
    }

    /** Cores one process's JIT compiler threads used between two snapshots, if read both times. */
    static Optional<Double> jitCores(Snapshot start, Snapshot end, long pid) {
        Map<String, Long> before = start.compilers().get(pid);
        Map<String, Long> after = end.compilers().get(pid);
        if (before == null || after == null) {
            return Optional.empty();
        }
        return Optional.of((double) JitCpu.between(before, after) / Math.max(1, end.nanos() - start.nanos()));
    }

    /** The machine's busy share between two snapshots (0 to 1), if known. */
    static Optional<Double> machineBusy(Snapshot start, Snapshot end) {
        long total = end.machineTotal() - start.machineTotal();
        if (start.machineTotal() < 0 || total <= 0) {
            return Optional.empty();
        }
        return Optional.of((double) (end.machineBusy() - start.machineBusy()) / total);
    }

    /** Cores one process used between two snapshots, if it could be read both times. */
    static Optional<Double> cores(Snapshot start, Snapshot end, long pid) {
        Long before = start.processes().get(pid);
        Long after = end.processes().get(pid);
        if (before == null || after == null) {
            return Optional.empty();
        }
        return Optional.of((double) (after - before) / Math.max(1, end.nanos() - start.nanos()));
    }

    /** The share of CFS periods in which a cpu group was throttled between two snapshots, if known. */
    static Optional<Double> throttledShare(Snapshot start, Snapshot end, Path group) {
        long[] before = start.throttled().get(group);
        long[] after = end.throttled().get(group);
        if (before == null || after == null || after[1] <= before[1]) {
            return Optional.empty();
        }
        return Optional.of((double) (after[0] - before[0]) / (after[1] - before[1]));
    }

    static OptionalLong processNanos(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalLong.of((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** {nr_throttled, nr_periods} of a cpu group's cpu.stat. */
    private static Optional<long[]> throttling(Path group) {
        try {
            long throttled = -1;
            long periods = -1;
            for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
                String[] pair = line.split(" ");
                if (pair[0].equals("nr_throttled")) {
                    throttled = Long.parseLong(pair[1]);
                } else if (pair[0].equals("nr_periods")) {
                    periods = Long.parseLong(pair[1]);
                }
            }
            return throttled < 0 || periods < 0 ? Optional.empty() : Optional.of(new long[] {throttled, periods});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The pid of the local RabbitMQ (its Erlang VM, {@code beam.smp}), if one runs on this machine. */
    static Optional<Long> rabbitMqPid() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(
                PROC, entry -> entry.getFileName().toString().matches("\\d+"))) {
            for (Path entry : entries) {
                try {
                    String comm = Files.readString(entry.resolve("comm"), StandardCharsets.UTF_8)
                            .strip();
                    if (comm.equals("beam.smp")
                            && new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8)
                                    .contains("rabbit")) {
                        return Optional.of(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The 1-minute load average, if known. */
    static Optional<Double> loadAverage() {
        try {
            return Optional.of(Double.parseDouble(Files.readString(PROC.resolve("loadavg"), StandardCharsets.US_ASCII)
                    .split(" ")[0]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
