package dev.switchboard.server.cli;

import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.server.bench.Bench;
import dev.switchboard.server.bench.BenchMode;
import dev.switchboard.server.bench.BenchResult;
import dev.switchboard.server.bench.BenchSettings;
import dev.switchboard.server.standalone.Standalone;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
            "Ends with: ratio=<switchboard/kafka> switchboard=<events/s> kafka=<events/s> mode=<mode> size=<bytes>"
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--mode", paramLabel = "write|read|roundtrip", description = "default: ${DEFAULT-VALUE}")
    String mode = "write";

    @Option(names = "--events", paramLabel = "N", description = "events per phase (default: ${DEFAULT-VALUE})")
    long events = 100_000;

    @Option(names = "--size", paramLabel = "BYTES", description = "payload bytes per event (default: ${DEFAULT-VALUE})")
    int size = 1024;

    @Option(names = "--sessions", paramLabel = "S", description = "concurrent sessions (default: ${DEFAULT-VALUE})")
    int sessions = 1;

    @Option(
            names = "--batch",
            paramLabel = "B",
            description = "events per chunk (write) or poll (read) (default: ${DEFAULT-VALUE})")
    int batch = 500;

    private static final long MAX_DEFAULT_WARMUP = 200_000;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "events of an unreported warm-up on each side (default: as many as --events, at most 200000)")
    Long warmup;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS_PER_S",
            description = "hand events over at most this fast, all sessions together (default: as fast as possible)")
    long rate;

    @Option(names = "--standalone", description = "start an in-process standalone on a temporary data dir")
    boolean standalone;

    @Option(names = "--baseline", description = "also run raw Kafka producers/consumers on the same broker")
    boolean baseline;

    @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "the Kafka broker behind --url, for --baseline")
    String kafka;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    Path json;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = settings();
        if (standalone && !client.urls.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "use either --url or --standalone");
        }
        BenchResult result = standalone ? runStandalone(settings) : runAgainst(settings);
        if (json != null) {
            Files.writeString(json, result.toJson(), StandardCharsets.UTF_8);
        }
        spec.commandLine().getOut().println(result.summaryLine());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private BenchSettings settings() {
        try {
            BenchMode benchMode = switch (mode) {
                case "write" -> BenchMode.WRITE;
                case "read" -> BenchMode.READ;
                case "roundtrip" -> BenchMode.ROUNDTRIP;
                default -> throw new IllegalArgumentException("--mode must be write, read or roundtrip, got: " + mode);
            };
            // Switchboard's path is far more code than a raw client's; a short warm-up measured the JIT compiler
            long warmupEvents = warmup != null ? warmup : Math.min(MAX_DEFAULT_WARMUP, events);
            return new BenchSettings(benchMode, events, size, sessions, batch, warmupEvents, baseline, rate);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private BenchResult runAgainst(BenchSettings settings) throws Exception {
        return new Bench(
                        settings,
                        client.connect(),
                        Optional.ofNullable(kafka),
                        spec.commandLine().getOut(),
                        spec.commandLine().getErr())
                .run();
    }

    private BenchResult runStandalone(BenchSettings settings) throws Exception {
        Path dataDir = Files.createTempDirectory("switchboard-bench");
        try (Standalone server = Standalone.start(dataDir, 0)) {
            SwitchboardClient.Builder builder = SwitchboardClient.builder().url(server.uri());
            standaloneToken(dataDir).ifPresent(builder::token);
            String bootstrap = kafka != null ? kafka : server.kafkaBootstrapServers();
            return new Bench(
                            settings,
                            builder.build(),
                            Optional.of(bootstrap),
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr())
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
