package dev.switchboard.server.localcluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
final class CpuGroups implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(CpuGroups.class);
    /** Where cgroup v1 mounts the cpu controller on common Linux systems. */
    static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup/cpu");

    private static final String PREFIX = "switchboard-local-";
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

    /** Writes the quota into every group, and into every group made from now on. */
    synchronized void capAll() throws IOException {
        capped = true;
        for (Path group : groups) {
            if (Files.isDirectory(group)) {
                writeQuota(group);
            }
        }
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

    /** The JVM options that match the cap. */
    List<String> jvmOptions() {
        return List.of("-XX:ActiveProcessorCount=" + activeProcessors());
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
