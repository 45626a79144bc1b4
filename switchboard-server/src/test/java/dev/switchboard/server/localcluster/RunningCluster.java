package dev.switchboard.server.localcluster;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.server.SwitchboardProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code switchboard local-cluster} run from the packaged application as a separate OS process, read back
 * through its {@code cluster.json} and its processes' logs.
 */
final class RunningCluster implements AutoCloseable {
    private static final Pattern ALLOCATED =
            Pattern.compile("session allocated session=([^.\\s]+)\\.([^.\\s]+)\\.\\S+ topic=(\\S+) mode=(\\S+)");

    /** One process of cluster.json. */
    record Member(String role, long pid, String shard, String nodeId, String url, Path log, String metrics) {
        boolean alive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    /** One "session allocated" line of a backend log. */
    record Allocation(String shard, String node, String topic, String mode) {}

    private final Process process;
    private final Path dataDir;
    private final List<Member> members;
    private final JsonNode clusterFile;

    private RunningCluster(Process process, Path dataDir, List<Member> members, JsonNode clusterFile) {
        this.process = process;
        this.dataDir = dataDir;
        this.members = members;
        this.clusterFile = clusterFile;
    }

    static RunningCluster start(Path workDir, String... arguments) throws IOException {
        return start(workDir, Map.of(), arguments);
    }

    /** As {@link #start(Path, String...)}, with {@code environment} added to local-cluster's (its nodes inherit it). */
    static RunningCluster start(Path workDir, Map<String, String> environment, String... arguments) throws IOException {
        Path dataDir = workDir.resolve("cluster");
        List<String> command = new ArrayList<>(List.of("local-cluster", "--data-dir", dataDir.toString()));
        command.addAll(List.of(arguments));
        Path output = workDir.resolve("local-cluster.log");
        ProcessBuilder builder = SwitchboardProcess.command(workDir, command.toArray(String[]::new))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        Path clusterFile = dataDir.resolve("cluster.json");
        try {
            await().atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(clusterFile) || !process.isAlive());
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        if (!process.isAlive()) {
            throw new AssertionError("local-cluster exited with " + process.exitValue() + ": "
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        JsonNode root = new ObjectMapper().readTree(clusterFile.toFile());
        return new RunningCluster(process, dataDir, read(root), root);
    }

    private static List<Member> read(JsonNode root) {
        List<Member> members = new ArrayList<>();
        for (JsonNode node : root.get("processes")) {
            members.add(new Member(
                    node.get("role").asText(),
                    node.get("pid").asLong(),
                    node.path("shard").asText(null),
                    node.path("node-id").asText(null),
                    node.path("url").asText(null),
                    Path.of(node.get("log").asText()),
                    node.path("metrics").asText(null)));
        }
        return members;
    }

    List<Member> members(String role) {
        return members.stream().filter(member -> member.role().equals(role)).toList();
    }

    List<URI> apiUrls() {
        return members("api").stream().map(member -> URI.create(member.url())).toList();
    }

    /** The API nodes' binary TCP URLs ({@code sb://}) as cluster.json lists them. */
    List<URI> apiTcpUrls() {
        List<URI> urls = new ArrayList<>();
        clusterFile.path("api-tcp-urls").forEach(url -> urls.add(URI.create(url.asText())));
        return urls;
    }

    Member backend(String nodeId) {
        return members("backend").stream()
                .filter(member -> member.nodeId().equals(nodeId))
                .findFirst()
                .orElseThrow();
    }

    /** The processes of one role as cluster.json lists them now (local-cluster rewrites it after a restart). */
    List<Member> current(String role) throws IOException {
        return read(new ObjectMapper().readTree(dataDir.resolve("cluster.json").toFile())).stream()
                .filter(member -> member.role().equals(role))
                .toList();
    }

    /** Every session allocation the backends logged so far. */
    List<Allocation> allocations() throws IOException {
        List<Allocation> allocations = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (Member backend : members("backend")) {
            // a backend that local-cluster restarted left its earlier lines in <log>.previous
            Path previous = backend.log().resolveSibling(backend.log().getFileName() + ".previous");
            if (Files.exists(previous)) {
                logs.add(previous);
            }
            logs.add(backend.log());
        }
        for (Path log : logs) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher matcher = ALLOCATED.matcher(line);
                if (matcher.find()) {
                    allocations.add(
                            new Allocation(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4)));
                }
            }
        }
        return allocations;
    }

    /** SIGKILL: no drain, no leaving beat, sockets closed by the OS. */
    static void kill(Member member) throws InterruptedException {
        ProcessHandle handle = ProcessHandle.of(member.pid()).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    /**
     * SIGSTOP, or SIGCONT with {@code frozen} false: a frozen node stops beating without exiting, so presence
     * declares it gone while local-cluster, which restarts a child that exits, leaves it alone.
     */
    static void freeze(Member member, boolean frozen) throws IOException, InterruptedException {
        Process signal = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(member.pid()))
                .inheritIO()
                .start();
        if (signal.waitFor() != 0) {
            throw new IOException("kill " + (frozen ? "-STOP " : "-CONT ") + member.pid() + " failed");
        }
    }

    Path dataDir() {
        return dataDir;
    }

    /** The development token cluster.json names: every API node takes it, it grants every topic. */
    String devToken() throws IOException {
        return Files.readString(Path.of(clusterFile.get("dev-token").asText()), StandardCharsets.UTF_8)
                .strip();
    }

    /** The cluster's Kafka, as cluster.json gives it. */
    String kafkaBootstrapServers() {
        return clusterFile.get("kafka-bootstrap-servers").asText();
    }

    /** The cluster secret every node reads (a test may sign requests with it as an API node would). */
    byte[] clusterSecret() throws IOException {
        return Files.readAllBytes(dataDir.resolve("cluster-secret"));
    }

    /** SIGTERM, as Ctrl-C: local-cluster stops every process it started. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
    }
}
