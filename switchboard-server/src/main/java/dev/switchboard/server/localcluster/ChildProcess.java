package dev.switchboard.server.localcluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process of a local cluster: the same java and the same class path as this process, running one
 * {@code switchboard} subcommand, with standard output and error in a log file (the previous run's kept as {@code .previous}). It is ready once it
 * logs its "ready" line, whose key=value pairs (url, bootstrap-servers, ...) are read back from the log.
 */
final class ChildProcess {
    /**
     * The class a child runs: {@code dev.switchboard.server.Main}, named rather than referenced so that the
     * command line's classes and the local cluster they start do not depend on each other in a circle
     * (LocalClusterPartsTest checks the name).
     */
    static final String MAIN_CLASS = "dev.switchboard.server.Main";

    private static final Pattern READY = Pattern.compile("\\bready (role=\\S+.*)$");
    private static final Pattern PAIR = Pattern.compile("([a-z-]+)=(\\S+)");
    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final String role;
    private final Optional<String> shard;
    private final Optional<String> nodeId;
    private final Path log;
    private final Process process;
    private final String maxHeap;
    private final List<String> arguments;
    private final Optional<CpuGroups> cpu;
    private final Optional<Path> cpuGroup;
    private volatile boolean stopping;

    private ChildProcess(
            String name,
            String role,
            Optional<String> shard,
            Optional<String> nodeId,
            Path log,
            Process process,
            String maxHeap,
            List<String> arguments,
            Optional<CpuGroups> cpu,
            Optional<Path> cpuGroup) {
        this.name = name;
        this.role = role;
        this.shard = shard;
        this.nodeId = nodeId;
        this.log = log;
        this.process = process;
        this.maxHeap = maxHeap;
        this.arguments = List.copyOf(arguments);
        this.cpu = cpu;
        this.cpuGroup = cpuGroup;
    }

    /**
     * Starts {@code switchboard <arguments>} with the given heap, its output in {@code log}; with {@code cpu}, in a
     * fresh CPU group of its own (removed once the process has exited) and a JVM sized to match.
     */
    static ChildProcess start(
            String name,
            String role,
            Optional<String> shard,
            Optional<String> nodeId,
            String maxHeap,
            Path log,
            List<String> arguments,
            Optional<CpuGroups> cpu)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedJvmOptions());
        cpu.ifPresent(groups -> command.addAll(groups.jvmOptions()));
        command.add("-Xmx" + maxHeap);
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.addAll(arguments);
        command.add("--watch-parent");
        command.add(Long.toString(ProcessHandle.current().pid()));
        Files.createDirectories(log.getParent());
        if (Files.exists(log)) {
            // keep the previous run's log, and never mistake its "ready" line for this run's
            Files.move(log, log.resolveSibling(log.getFileName() + ".previous"), StandardCopyOption.REPLACE_EXISTING);
        }
        Optional<Path> group = cpu.isPresent() ? Optional.of(cpu.get().newGroup(name)) : Optional.empty();
        List<String> launched = group.isPresent() ? cpu.get().wrap(group.get(), command) : command;
        Process process;
        try {
            process = new ProcessBuilder(launched)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException | RuntimeException e) {
            group.ifPresent(cpu.get()::remove);
            throw e;
        }
        group.ifPresent(path -> process.onExit().thenRun(() -> cpu.get().remove(path)));
        return new ChildProcess(name, role, shard, nodeId, log, process, maxHeap, arguments, cpu, group);
    }

    /**
     * Starts the same node again (name, role, shard, node id, heap, log) with {@code newArguments}; the caller
     * has stopped this one.
     */
    ChildProcess startAgain(List<String> newArguments) throws IOException {
        return start(name, role, shard, nodeId, maxHeap, log, newArguments, cpu);
    }

    List<String> arguments() {
        return arguments;
    }

    /** This JVM's options (e.g. from SWITCHBOARD_JAVA_OPTS) except debugger agents and heap and GC choices. */
    private static List<String> inheritedJvmOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> !option.startsWith("-agentlib")
                        && !option.startsWith("-javaagent")
                        && !option.startsWith("-Xmx")
                        && !option.startsWith("-Xms")
                        && !option.startsWith("-XX:ActiveProcessorCount")
                        && !option.matches("-XX:[+-]Use\\w+GC"))
                .toList();
    }

    /**
     * Waits for the ready line and returns its key=value pairs; fails with the log's last lines when the
     * process exits first or the timeout passes.
     */
    Map<String, String> awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Map<String, String>> ready = readyLine();
            if (ready.isPresent()) {
                return ready.get();
            }
            if (!process.isAlive()) {
                throw new IOException(name + " exited with code " + process.exitValue() + " before it was ready; "
                        + "its log " + log + " ends with:\n" + tail(20));
            }
            Thread.sleep(POLL);
        }
        throw new IOException(name + " was not ready within " + timeout.toSeconds() + " s; its log " + log
                + " ends with:\n" + tail(20));
    }

    /** As {@link #awaitReady(Duration)}, the value of {@code key} in the ready line; an IOException without it. */
    String awaitReady(Duration timeout, String key) throws IOException, InterruptedException {
        String value = awaitReady(timeout).get(key);
        if (value == null) {
            throw new IOException(
                    name + "'s ready line has no " + key + "; its log " + log + " ends with:\n" + tail(20));
        }
        return value;
    }

    private Optional<Map<String, String>> readyLine() throws IOException {
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Optional<Map<String, String>> ready = parseReady(line);
            if (ready.isPresent()) {
                return ready;
            }
        }
        return Optional.empty();
    }

    /** The key=value pairs of a "ready role=..." log line; empty for any other line. */
    static Optional<Map<String, String>> parseReady(String line) {
        Matcher matcher = READY.matcher(line);
        if (!matcher.find()) {
            return Optional.empty();
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher pair = PAIR.matcher(matcher.group(1));
        while (pair.find()) {
            pairs.put(pair.group(1), pair.group(2));
        }
        return Optional.of(pairs);
    }

    private String tail(int lines) throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Asks the process to stop (SIGTERM: it drains). */
    void terminate() {
        stopping = true;
        process.destroy();
    }

    /** Waits for the process to exit, killing it when it takes longer than {@code grace}. */
    void awaitExit(Duration grace) throws InterruptedException {
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    boolean stopping() {
        return stopping;
    }

    Process process() {
        return process;
    }

    String name() {
        return name;
    }

    String role() {
        return role;
    }

    Optional<String> shard() {
        return shard;
    }

    Optional<String> nodeId() {
        return nodeId;
    }

    Path log() {
        return log;
    }

    /** The CPU group this start of the process runs in, with --node-cpu. */
    Optional<Path> cpuGroup() {
        return cpuGroup;
    }
}
