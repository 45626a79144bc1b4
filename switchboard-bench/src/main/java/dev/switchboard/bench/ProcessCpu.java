package dev.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of named processes, read from Linux's {@code /proc/<pid>/stat} (utime + stime), so a bench against a
 * local cluster can say where the CPU of each 1,000 events went: the bench itself (the SDK), each API node,
 * backend, the Kafka broker, and RabbitMQ when its pid is given. A process that cannot be read (gone, not Linux)
 * is left out of the snapshot and so of the figures.
 */
public final class ProcessCpu {
    private final Map<String, Long> pids;

    /** @param pids process name -> pid, in the order to report them */
    public ProcessCpu(Map<String, Long> pids) {
        this.pids = new LinkedHashMap<>(pids);
    }

    /** Only this process, named {@code name}. */
    public static ProcessCpu self(String name) {
        return new ProcessCpu(Map.of(name, ProcessHandle.current().pid()));
    }

    /** CPU nanoseconds of each readable process now. */
    Map<String, Long> snapshot() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (Map.Entry<String, Long> process : pids.entrySet()) {
            try {
                String stat = Files.readString(
                        Path.of("/proc", process.getValue().toString(), "stat"), StandardCharsets.UTF_8);
                cpu.put(process.getKey(), JitCpu.cpuNanos(stat));
            } catch (IOException | RuntimeException e) {
                // not readable: left out
            }
        }
        return cpu;
    }

    /** CPU nanoseconds each process used between two snapshots (processes in both only). */
    static Map<String, Long> between(Map<String, Long> start, Map<String, Long> end) {
        Map<String, Long> used = new LinkedHashMap<>();
        end.forEach((name, nanos) -> {
            Long before = start.get(name);
            if (before != null) {
                used.put(name, Math.max(0, nanos - before));
            }
        });
        return used;
    }
}
