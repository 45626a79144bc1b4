package dev.switchboard.server.localcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU caps for the nodes of a local cluster: each capped process runs in its own cgroup v1 {@code cpu} group with
 * {@code cpu.cfs_quota_us = cores x cpu.cfs_period_us}, so a node is a "small machine" of a fixed slice of a core
 * however many nodes share the real cores.
 *
 * <p>Layout: {@code <root>/switchboard-local-<pid>/<process>.<n>}, one parent group per local-cluster process (its
 * pid) and one child group per process start ({@code n} counts starts, so a restarted node never shares a group
 * with the process it replaces). A group is removed once its process has exited, the parent on {@link #close}.
 * Parent groups of local-cluster processes that no longer run (killed before they could clean up) are removed
 * on the next {@link #create}.
 *
 * <p>The process is put into its group before it runs any Java: it starts as {@code sh -c 'echo $$ >
 * <group>/cgroup.procs && exec java ...'} ({@link #wrap}), and a cgroup's children inherit it.
 *
 * <p>{@link #capAll} (the scaling bench caps its nodes once they are warm) also moves the JIT compiler threads of
 * every capped JVM into a group of their own without a quota ({@code <parent>/jit}, cgroup v1 places threads
 * one by one): a node then stands for a small machine that has been running long enough for its JIT to have
 * finished. Inside the quota, at 0.15 cores, the compiler threads still took half of every node's slice after
 * a 12 s warm-up at 4 nodes, and more nodes each compiled longer (each saw a smaller share of the warm-up's
 * requests), so the rates measured the JIT, not the nodes. The JVMs run with a fixed number of compiler threads
 * ({@code -XX:-UseDynamicNumberOfCompilerThreads}), so none starts later inside the quota.
 */
final class CpuGroups implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(CpuGroups.class);
    /** Where cgroup v1 mounts the cpu controller on common Linux systems. */
    static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup/cpu");

    private static final String PREFIX = "switchboard-local-";
    /** The group, under the parent, of the capped JVMs' compiler threads: no quota. */
    static final String JIT_GROUP = "jit";
    /** Where Linux shows processes and their threads. */
    private static final Path PROC = Path.of("/proc");

    private static final long DEFAULT_PERIOD_MICROS = 100_000;

    private final Path parent;
    private final double cores;
    private final long periodMicros;
    private final AtomicInteger starts = new AtomicInteger();
    private final List<Path> groups = new ArrayList<>();
    /** False while the groups run without a quota, until {@link #capAll}. */
    private boolean capped;

    private CpuGroups(Path parent, double cores, long periodMicros, boolean capped) {
        this.parent = parent;
        this.cores = cores;
        this.periodMicros = periodMicros;
        this.capped = capped;
    }

    /**
     * Makes this process's parent group under {@code root}; fails with a message that says what is needed when
     * the cpu controller is not there or cannot be written (not root, cgroup v2 only, a read-only mount).
     */
    static CpuGroups create(Path root, double cores) throws IOException {
        return create(root, cores, true);
    }

    /**
     * As {@link #create(Path, double)}; with {@code capAtStart} false the groups start without a quota (so the
     * nodes start, and load their classes, at the machine's speed) until {@link #capAll}.
     */
    static CpuGroups create(Path root, double cores, boolean capAtStart) throws IOException {
        if (!(cores > 0)) {
            throw new IllegalArgumentException("--node-cpu must be more than 0 cores, got " + cores);
        }
        Path quotaFile = root.resolve("cpu.cfs_quota_us");
        if (!Files.isRegularFile(quotaFile)) {
            throw new IOException("--node-cpu needs the cgroup v1 cpu controller at " + root + " (no " + quotaFile
                    + " there: cgroup v2 only, or not mounted); run without --node-cpu");
        }
        removeLeftovers(root);
        Path parent = root.resolve(PREFIX + ProcessHandle.current().pid());
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IOException(
                    "--node-cpu cannot create a cgroup under " + root + " (" + e
                            + "): it needs a writable cgroup v1 cpu controller, usually as root; run without"
                            + " --node-cpu",
                    e);
        }
        long period = readPeriod(parent);
        return new CpuGroups(parent, cores, period, capAtStart);
    }

    private static long readPeriod(Path group) throws IOException {
        Path file = group.resolve("cpu.cfs_period_us");
        if (!Files.isRegularFile(file)) {
            return DEFAULT_PERIOD_MICROS;
        }
        return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
    }

    /** The quota of every group: {@code cores} periods' worth of CPU time per period, at least 1 ms. */
    long quotaMicros() {
        return Math.max(1000, Math.round(cores * periodMicros));
    }

    /** What {@code -XX:ActiveProcessorCount} the JVM of a capped process gets: the cores, rounded up, at least 1. */
    int activeProcessors() {
        return Math.max(1, (int) Math.ceil(cores));
    }

    double cores() {
        return cores;
    }

    /** A fresh group for one start of {@code process}, its quota written (none before {@link #capAll}). */
    synchronized Path newGroup(String process) throws IOException {
        Path group = parent.resolve(process + "." + starts.incrementAndGet());
        try {
            Files.createDirectory(group);
            writeQuota(group);
        } catch (IOException e) {
            throw new IOException("--node-cpu cannot set up the cgroup " + group + ": " + e, e);
        }
        groups.add(group);
        return group;
    }

    /**
     * Writes the quota into every group, and into every group made from now on; moves the compiler threads of the
     * processes in the groups now into the uncapped {@value #JIT_GROUP} group. Returns how many threads moved.
     */
    synchronized int capAll() throws IOException {
        return capAll(PROC);
    }

    /** {@link #capAll()} with Linux's {@code /proc} at {@code proc}. */
    synchronized int capAll(Path proc) throws IOException {
        capped = true;
        int moved = 0;
        Path jit = parent.resolve(JIT_GROUP);
        for (Path group : groups) {
            if (!Files.isDirectory(group)) {
                continue;
            }
            writeQuota(group);
            for (String tid : compilerThreads(proc, processesIn(group))) {
                try {
                    Files.createDirectories(jit); // a cgroup made by mkdir has no quota
                    // cgroup v1 takes one thread id per write to "tasks", and moves only that thread
                    Files.writeString(
                            jit.resolve("tasks"),
                            tid + "\n",
                            StandardCharsets.US_ASCII,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND);
                    moved++;
                } catch (IOException e) {
                    // the thread ended meanwhile (the JVM stopped): nothing to move
                    LOGGER.debug("compiler thread not moved tid={} cause={}", tid, e.toString());
                }
            }
        }
        return moved;
    }

    /** The pids in a group's {@code cgroup.procs}; none when it cannot be read. */
    private static List<String> processesIn(Path group) {
        try {
            return Files.readAllLines(group.resolve("cgroup.procs"), StandardCharsets.US_ASCII).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The thread ids of HotSpot's JIT compiler threads of {@code pids} ({@code C1 CompilerThread0}, {@code C2
     * CompilerThread0}, ...; Linux shows a thread's name cut to 15 characters in {@code task/<tid>/comm}).
     */
    static List<String> compilerThreads(Path proc, List<String> pids) {
        List<String> threads = new ArrayList<>();
        for (String pid : pids) {
            try (DirectoryStream<Path> tasks =
                    Files.newDirectoryStream(proc.resolve(pid).resolve("task"))) {
                for (Path task : tasks) {
                    try {
                        if (isCompilerThread(Files.readString(task.resolve("comm"), StandardCharsets.UTF_8))) {
                            threads.add(task.getFileName().toString());
                        }
                    } catch (IOException e) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        return threads;
    }

    static boolean isCompilerThread(String comm) {
        String name = comm.strip();
        return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    }

    /** The quota a group gets now: {@link #quotaMicros}, or -1 (none) while uncapped. */
    private void writeQuota(Path group) throws IOException {
        Files.writeString(
                group.resolve("cpu.cfs_quota_us"),
                Long.toString(capped ? quotaMicros() : -1),
                StandardCharsets.US_ASCII);
    }

    /**
     * {@code command} started inside {@code group}: the shell writes its own pid into the group's {@code
     * cgroup.procs}, then becomes the command (same pid), so nothing of the command runs outside the group.
     */
    List<String> wrap(Path group, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                group.resolve("cgroup.procs").toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * The JVM options that match the cap, and a fixed number of compiler threads (all started with the JVM, so
     * {@link #capAll} finds every one of them).
     */
    List<String> jvmOptions() {
        return List.of("-XX:ActiveProcessorCount=" + activeProcessors(), "-XX:-UseDynamicNumberOfCompilerThreads");
    }

    /** Removes a group whose process has exited (a group with a process in it cannot be removed). */
    synchronized void remove(Path group) {
        if (removeQuietly(group)) {
            groups.remove(group);
        }
    }

    /** The group of a process, from {@code /proc/<pid>/cgroup}; empty when it is not in a cpu group of ours. */
    static Optional<Path> groupOf(Path root, long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains("cpu") && parts[2].contains(PREFIX)) {
                return Optional.of(root.resolve(parts[2].substring(1)));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return parent.toString();
    }

    /** Removes every group left (their processes have exited) and the parent group. */
    @Override
    public synchronized void close() {
        for (Path group : List.copyOf(groups)) {
            remove(group);
        }
        Path jit = parent.resolve(JIT_GROUP);
        if (Files.isDirectory(jit)) {
            removeQuietly(jit);
        }
        if (!removeQuietly(parent)) {
            LOGGER.warn("could not remove the cgroup {} (a process still in it?)", parent);
        }
    }

    private static boolean removeQuietly(Path group) {
        // a process that has just been reaped can still be listed for a moment: retry briefly
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                Files.deleteIfExists(group); // rmdir; a cgroup's control files go with it
                return true;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /** Parent groups of local-cluster processes that are gone, and their empty children. */
    private static void removeLeftovers(Path root) {
        try (DirectoryStream<Path> parents = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path stale : parents) {
                String pid = stale.getFileName().toString().substring(PREFIX.length());
                boolean running = pid.matches("\\d+")
                        && ProcessHandle.of(Long.parseLong(pid)).isPresent();
                if (running || !Files.isDirectory(stale)) {
                    continue;
                }
                LOGGER.info("removing cgroups left by a local cluster that is gone group={}", stale);
                try (DirectoryStream<Path> children = Files.newDirectoryStream(stale, Files::isDirectory)) {
                    children.forEach(CpuGroups::removeQuietly);
                }
                removeQuietly(stale);
            }
        } catch (IOException e) {
            LOGGER.warn("could not look for leftover cgroups under {}", root, e);
        }
    }
}
