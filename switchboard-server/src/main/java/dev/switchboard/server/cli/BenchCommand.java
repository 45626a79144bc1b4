package dev.switchboard.server.cli;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.bench.ApiRequests;
import dev.switchboard.bench.Bench;
import dev.switchboard.bench.BenchMode;
import dev.switchboard.bench.BenchPayload;
import dev.switchboard.bench.BenchReport;
import dev.switchboard.bench.BenchSettings;
import dev.switchboard.bench.ProcessCpu;
import dev.switchboard.bench.ScalingBench;
import dev.switchboard.bench.ScalingReport;
import dev.switchboard.bench.ScalingSettings;
import dev.switchboard.bench.TailBench;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.localcluster.LocalClusterOptions;
import dev.switchboard.server.standalone.Standalone;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs the load generator of {@link Bench} against a deployment or an in-process standalone. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure Switchboard's throughput and latency, optionally against raw Kafka on the same broker.",
            "Ends with: ratio=<switchboard/kafka> switchboard=<events/s> kafka=<events/s> mode=<mode> size=<bytes>",
            "or in tail mode: ratio=<cpu/s with S subscribers / with 1> sessions=<S> cpu1=<ms/s> cpuS=<ms/s> mode=tail"
                    + " size=<bytes>",
            "or with --scaling: scaling=<rate(4 nodes)/(4 x rate(1 node))> nodes=1,2,4 rates=<r1>,<r2>,<r4>"
                    + " mode=<mode> shards=<s> backends=<s x 1>,<s x 2>,<s x 4> apis=1,2,4 (nodes: backend nodes per"
                    + " shard)"
        })
public final class BenchCommand implements Callable<Integer> {
    static final long DEFAULT_EVENTS = 100_000;
    static final long DEFAULT_TAIL_RATE = 200;
    static final long DEFAULT_TAIL_SECONDS = 30;
    static final int DEFAULT_TAIL_SESSIONS = 100;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--mode", paramLabel = "write|read|roundtrip|tail", description = "default: ${DEFAULT-VALUE}")
    String mode = "write";

    @Option(
            names = "--events",
            paramLabel = "N",
            description = "events per phase (default: " + DEFAULT_EVENTS + "; tail mode: --rate times --duration)")
    @Nullable
    Long events;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            description = "tail mode: seconds the writer writes in each phase (default: " + DEFAULT_TAIL_SECONDS
                    + "); --scaling: seconds of the measured window per configuration, and of the uncapped warm-up"
                    + " before the capped one (default: "
                    + DEFAULT_SCALING_SECONDS + ")")
    @Nullable
    Long duration;

    @Option(names = "--size", paramLabel = "BYTES", description = "payload bytes per event (default: ${DEFAULT-VALUE})")
    int size = 1024;

    @Option(
            names = "--sessions",
            paramLabel = "S",
            description = "concurrent sessions (default: 1; tail mode: subscribers of the second phase, default "
                    + DEFAULT_TAIL_SESSIONS + ")")
    @Nullable
    Integer sessions;

    @Option(
            names = "--batch",
            paramLabel = "B",
            description = "events per chunk (write) or poll (read, tail) (default: " + DEFAULT_BATCH + "; --scaling: "
                    + DEFAULT_SCALING_BATCH + ")")
    @Nullable
    Integer batch;

    static final int DEFAULT_BATCH = 500;

    private static final long MAX_DEFAULT_WARMUP = 200_000;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "events of an unreported warm-up on each side (default: as many as --events, at most 200000;"
                    + " tail mode: as many as a phase, written while --sessions subscribers tail)")
    @Nullable
    Long warmup;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS_PER_S",
            description = "hand events over at most this fast, all sessions together (default: as fast as possible;"
                    + " tail mode: its one writer's steady rate, default " + DEFAULT_TAIL_RATE + ")")
    @Nullable
    Long rate;

    @Option(names = "--standalone", description = "start an in-process standalone on a temporary data dir")
    boolean standalone;

    @Option(names = "--baseline", description = "also run raw Kafka producers/consumers on the same broker")
    boolean baseline;

    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "the Kafka broker behind --url, for --baseline")
    @Nullable
    String kafka;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    @Nullable
    Path json;

    @Option(
            names = "--tail-cache-bytes",
            paramLabel = "BYTES",
            description = "with --standalone: the backend's tail-cache-bytes (fan-out sharing; 0: off;"
                    + " default: the backend's default)")
    @Nullable
    Long tailCacheBytes;

    @Option(
            names = "--scaling",
            description = "start local clusters of --nodes backend nodes per shard (and as many API nodes) for each of"
                    + " --shards, every node capped at --node-cpu cores, and measure the same timed workload on each"
                    + " (needs a writable cgroup v1 cpu controller, usually as root, and the AMQP broker of --amqp)")
    boolean scaling;

    @Option(
            names = "--node-cpu",
            paramLabel = "CORES",
            description = "--scaling: cores per API and backend node (default: what keeps three quarters of the"
                    + " machine busy at the largest configuration, its nodes at their caps and the load generator,"
                    + " Kafka and the broker using as much again; 0.06 for nodes 1,2,4 and shards 1,2 on 2 cores, at"
                    + " least 0.05)")
    @Nullable
    Double nodeCpu;

    @Option(
            names = "--nodes",
            paramLabel = "N,N,...",
            split = ",",
            description = "--scaling: backend nodes per shard, ascending (default: 1,2,4)")
    List<Integer> nodes = new ArrayList<>(List.of(1, 2, 4));

    @Option(
            names = "--shards",
            paramLabel = "N,N,...",
            split = ",",
            description = "--scaling: shard counts, ascending (default: 1,2)")
    List<Integer> shards = new ArrayList<>(List.of(1, 2));

    @Option(
            names = "--sessions-per-node",
            paramLabel = "S",
            description = "--scaling: sessions per backend node of each configuration, so the offered load grows with"
                    + " the nodes (default: " + ScalingSettings.DEFAULT_SESSIONS_PER_NODE + ")")
    Integer sessionsPerNode;

    @Option(
            names = "--jit-wait",
            paramLabel = "SECONDS",
            description = "--scaling: how much longer than --duration the uncapped warm-up may wait for the nodes' JIT"
                    + " compiler threads to settle, i.e. use at most 0.025 cores per node"
                    + " (default: " + ScalingSettings.DEFAULT_JIT_WAIT_SECONDS + "; 0: no longer)")
    Integer jitWait;

    @Option(
            names = "--amqp",
            paramLabel = "URI",
            description = "--scaling: the AMQP broker, each shard a new virtual host of it (default: "
                    + "amqp://guest:guest@127.0.0.1:5672)")
    URI amqp = LocalClusterOptions.DEFAULT_AMQP;

    static final int DEFAULT_SCALING_SECONDS = 20;
    static final int DEFAULT_SCALING_READ_EVENTS = 2000;
    static final int DEFAULT_SCALING_BATCH = 100;

    @Option(
            names = "--cluster-json",
            paramLabel = "FILE",
            description = "a local cluster's cluster.json: report the CPU of%neach of its processes per 1,000 events")
    @Nullable
    Path clusterJson;

    @Option(
            names = "--cpu-of",
            paramLabel = "NAME=PID",
            description = "also report the CPU of this process (e.g.%nrabbitmq=PID); repeatable")
    java.util.Map<String, Long> cpuOf = new java.util.LinkedHashMap<>();

    @Option(
            names = "--payload",
            paramLabel = "random|json",
            description =
                    "random bytes (incompressible) or JSON order%ndocuments (compressible); default: ${DEFAULT-VALUE}")
    String payload = "random";

    @Option(
            names = "--transport",
            paramLabel = "http|tcp",
            description =
                    "with --standalone: reach its API over HTTP or its binary TCP port (default: ${DEFAULT-VALUE});"
                            + " against a deployment the --url schemes decide (sb:// is TCP)")
    String transport = "http";

    @Option(
            names = "--round-trips",
            paramLabel = "fewer|separate",
            description = "fewer: the SDK's default, acks ride on reads and commits on%nwrites; separate: every ack and"
                    + " commit a call of its own,%nas before (default: ${DEFAULT-VALUE})")
    String roundTrips = "fewer";

    @Override
    public Integer call() throws Exception {
        if (scaling) {
            ScalingReport report = new ScalingBench(
                            scalingSettings(),
                            new LocalClusters(),
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr())
                    .run();
            if (json != null) {
                Files.writeString(json, report.toJson(), StandardCharsets.UTF_8);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
        BenchSettings settings = settings();
        if (!transport.equals("http") && !transport.equals("tcp")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--transport must be http or tcp, got: " + transport);
        }
        if (transport.equals("tcp") && !standalone) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--transport tcp is for --standalone; against a deployment give --url sb://host:port");
        }
        if (standalone && !client.urls.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "use either --url or --standalone");
        }
        if (tailCacheBytes != null && !standalone) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--tail-cache-bytes configures the standalone's backend: use it with --standalone");
        }
        if (tailCacheBytes != null && tailCacheBytes < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--tail-cache-bytes must not be negative, got " + tailCacheBytes);
        }
        BenchReport result = standalone ? runStandalone(settings) : runAgainst(settings);
        if (json != null) {
            Files.writeString(json, result.toJson(), StandardCharsets.UTF_8);
        }
        spec.commandLine().getOut().println(result.summaryLine());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** --scaling's settings; the options that pick a deployment or pace a run do not go with it. */
    private ScalingSettings scalingSettings() {
        if (standalone
                || !client.urls.isEmpty()
                || baseline
                || kafka != null
                || rate != null
                || warmup != null
                || sessions != null
                || tailCacheBytes != null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--scaling starts its own local clusters and runs a timed workload: it takes --mode, --node-cpu,"
                            + " --nodes, --shards, --duration, --jit-wait, --sessions-per-node, --size, --batch, --events (read"
                            + " mode: events per session topic), --amqp and --json");
        }
        try {
            BenchMode benchMode = switch (mode) {
                case "write" -> BenchMode.WRITE;
                case "read" -> BenchMode.READ;
                case "roundtrip" -> BenchMode.ROUNDTRIP;
                default ->
                    throw new IllegalArgumentException("--scaling takes --mode write, read or roundtrip, got: " + mode);
            };
            List<Integer> nodeCounts = List.copyOf(nodes);
            List<Integer> shardCounts = List.copyOf(shards);
            double cores = nodeCpu != null
                    ? nodeCpu
                    : ScalingSettings.defaultNodeCpu(
                            nodeCounts, shardCounts, Runtime.getRuntime().availableProcessors());
            return new ScalingSettings(
                    benchMode,
                    nodeCounts,
                    shardCounts,
                    cores,
                    sessionsPerNode != null ? sessionsPerNode : ScalingSettings.DEFAULT_SESSIONS_PER_NODE,
                    duration != null ? Math.toIntExact(duration) : DEFAULT_SCALING_SECONDS,
                    jitWait != null ? jitWait : ScalingSettings.DEFAULT_JIT_WAIT_SECONDS,
                    size,
                    batch != null ? batch : DEFAULT_SCALING_BATCH,
                    events != null ? Math.toIntExact(events) : DEFAULT_SCALING_READ_EVENTS,
                    amqp);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private BenchSettings settings() {
        try {
            BenchMode benchMode = switch (mode) {
                case "write" -> BenchMode.WRITE;
                case "read" -> BenchMode.READ;
                case "roundtrip" -> BenchMode.ROUNDTRIP;
                case "tail" -> BenchMode.TAIL;
                default ->
                    throw new IllegalArgumentException("--mode must be write, read, roundtrip or tail, got: " + mode);
            };
            boolean tail = benchMode == BenchMode.TAIL;
            if (tail && events != null) {
                throw new IllegalArgumentException("--mode tail writes --rate events/s for --duration seconds:"
                        + " use --duration instead of --events");
            }
            if (!tail && duration != null) {
                throw new IllegalArgumentException("--duration is for --mode tail; other modes take --events");
            }
            long seconds = duration != null ? duration : DEFAULT_TAIL_SECONDS;
            if (seconds < 1) {
                throw new IllegalArgumentException("--duration must be at least 1 second, got " + seconds);
            }
            long eventsPerSecond = rate != null ? rate : tail ? DEFAULT_TAIL_RATE : 0;
            if (tail && eventsPerSecond < 1) {
                throw new IllegalArgumentException(
                        "--mode tail needs a --rate of at least 1 event/s, got " + eventsPerSecond);
            }
            long phaseEvents =
                    tail ? Math.multiplyExact(eventsPerSecond, seconds) : events != null ? events : DEFAULT_EVENTS;
            int sessionCount = sessions != null ? sessions : tail ? DEFAULT_TAIL_SESSIONS : 1;
            // Switchboard's path is far more code than a raw client's: a short warm-up measured the JIT compiler
            long warmupEvents =
                    warmup != null ? warmup : tail ? phaseEvents : Math.min(MAX_DEFAULT_WARMUP, phaseEvents);
            BenchPayload payloadKind = switch (payload) {
                case "random" -> BenchPayload.RANDOM;
                case "json" -> BenchPayload.JSON;
                default -> throw new IllegalArgumentException("--payload must be random or json, got: " + payload);
            };
            boolean fewerRoundTrips = switch (roundTrips) {
                case "fewer" -> true;
                case "separate" -> false;
                default ->
                    throw new IllegalArgumentException("--round-trips must be fewer or separate, got: " + roundTrips);
            };
            return new BenchSettings(
                    benchMode,
                    phaseEvents,
                    size,
                    sessionCount,
                    batch != null ? batch : DEFAULT_BATCH,
                    warmupEvents,
                    baseline,
                    eventsPerSecond,
                    payloadKind,
                    fewerRoundTrips);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private BenchReport runAgainst(BenchSettings settings) throws Exception {
        if (settings.mode() == BenchMode.TAIL) {
            return new TailBench(
                            settings,
                            client.connect(),
                            false,
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr())
                    .run();
        }
        return new Bench(
                        settings,
                        client.connect(),
                        Optional.ofNullable(kafka),
                        processes("bench (sdk)"),
                        spec.commandLine().getOut(),
                        spec.commandLine().getErr())
                .run();
    }

    /** This process under {@code self}, then --cluster-json's processes, then --cpu-of's. */
    private ProcessCpu processes(String self) throws IOException {
        java.util.Map<String, Long> pids = new java.util.LinkedHashMap<>();
        pids.put(self, ProcessHandle.current().pid());
        if (clusterJson != null) {
            com.fasterxml.jackson.databind.JsonNode cluster =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(clusterJson.toFile());
            for (com.fasterxml.jackson.databind.JsonNode process : cluster.path("processes")) {
                String name = process.hasNonNull("node-id")
                        ? process.get("node-id").asText()
                        : process.path("role").asText("process");
                pids.put(name, process.path("pid").asLong());
            }
        }
        pids.putAll(cpuOf);
        return new ProcessCpu(pids);
    }

    private BenchReport runStandalone(BenchSettings settings) throws Exception {
        Path dataDir = Files.createTempDirectory("switchboard-bench");
        long cacheBytes = tailCacheBytes != null ? tailCacheBytes : BackendConfig.DEFAULT_TAIL_CACHE_BYTES;
        NodeConfig config = NodeConfig.builder()
                .value(ConfigKeys.DATA_DIR, dataDir, "bench")
                .value(ConfigKeys.PORT, 0, "bench")
                .value(ConfigKeys.TCP_PORT, 0, "bench")
                .value(ConfigKeys.TAIL_CACHE_BYTES, cacheBytes, "bench")
                .build();
        try (Standalone server = Standalone.start(config)) {
            URI url = transport.equals("tcp") ? server.tcpUri().orElseThrow() : server.uri();
            SwitchboardClient.Builder builder = SwitchboardClient.builder().url(url);
            standaloneToken(dataDir).ifPresent(builder::token);
            if (settings.mode() == BenchMode.TAIL) {
                // the embedded broker runs in this JVM: its Fetch requests can be counted
                return new TailBench(
                                settings,
                                builder.build(),
                                true,
                                spec.commandLine().getOut(),
                                spec.commandLine().getErr())
                        .run();
            }
            String bootstrap = kafka != null ? kafka : server.kafkaBootstrapServers();
            return new Bench(
                            settings,
                            builder.build(),
                            Optional.of(bootstrap),
                            processes("standalone (sdk, api, backend, broker)"),
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr())
                    .countingRequests(ApiRequests.of(server.uri()))
                    .run();
        } finally {
            deleteRecursively(dataDir);
        }
    }

    /** The token: --token-file or $SWITCHBOARD_TOKEN, else the standalone's development token if it wrote one. */
    private Optional<String> standaloneToken(Path dataDir) throws IOException {
        Path devToken = dataDir.resolve("dev-token");
        if (client.tokenFile == null && System.getenv("SWITCHBOARD_TOKEN") == null && Files.isReadable(devToken)) {
            return Optional.of(
                    Files.readString(devToken, StandardCharsets.UTF_8).trim());
        }
        return client.token();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
