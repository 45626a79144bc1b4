package dev.switchboard.bench;

import dev.switchboard.client.SwitchboardClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * {@code bench --scaling}: for each shard count and each number of backend nodes per shard, starts a fresh local
 * cluster with CPU-capped nodes ({@code local-cluster --node-cpu}), runs the same timed workload ({@link TimedLoad})
 * for a warm-up and then a measured window, and stops the cluster. Prints one line per configuration (rate,
 * allocations per node, CPU of nodes, load generator, Kafka, broker and machine) and one scaling line per shard
 * count, the last line of the run being that of the largest shard count.
 */
public final class ScalingBench {
    private static final Pattern ALLOCATED =
            Pattern.compile("session allocated session=\\S+ topic=(\\S+) .*node=(\\S+)");

    /** One process of a running cluster. */
    public record Member(String role, String name, long pid, Path log, Optional<Path> cpuGroup) {}

    /** A running cluster, as the bench needs it; closing stops it and removes what it made. */
    public interface Cluster extends AutoCloseable {
        List<URI> apiUrls();

        /** A token that grants every topic. */
        String token() throws IOException;

        /** Kafka, the backends and the API nodes as they are now. */
        List<Member> members();

        @Override
        void close() throws IOException;
    }

    /** Starts clusters: {@code local-cluster --node-cpu} in switchboard-server. */
    public interface Clusters {
        Cluster start(int shards, int backendsPerShard, int apis, double nodeCpu, URI amqp) throws Exception;
    }

    private final ScalingSettings settings;
    private final Clusters clusters;
    private final PrintWriter out;
    private final PrintWriter err;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    public ScalingBench(ScalingSettings settings, Clusters clusters, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.clusters = clusters;
        this.out = out;
        this.err = err;
    }

    public ScalingReport run() throws Exception {
        List<ScalingPoint> points = new ArrayList<>();
        for (int shards : settings.shards()) {
            for (int nodes : settings.nodes()) {
                ScalingPoint point = measure(shards, nodes);
                out.println(point.describe());
                out.flush();
                points.add(point);
            }
            ScalingReport partial = new ScalingReport(settings, points);
            out.println(partial.scalingLine(shards));
            out.flush();
        }
        return new ScalingReport(settings, points);
    }

    private ScalingPoint measure(int shards, int nodes) throws Exception {
        int apis = nodes;
        err.printf(
                "starting a local cluster: %d shard(s) x %d backend(s), %d API node(s), %.2f cores each%n",
                shards, nodes, apis, settings.nodeCpu());
        err.flush();
        try (Cluster cluster = clusters.start(shards, nodes, apis, settings.nodeCpu(), settings.amqp())) {
            List<SwitchboardClient> clients = clients(cluster.apiUrls(), cluster.token());
            try {
                TimedLoad load = new TimedLoad(clients, settings);
                String prefix = "scale-" + runId + "-" + shards + "x" + nodes + "-";
                List<String> topics = topics(prefix);
                load.prepare(topics);
                Duration window = Duration.ofSeconds(settings.seconds());
                err.printf("warm-up %d s, then measuring %d s%n", settings.seconds(), settings.seconds());
                err.flush();
                Probe probe = new Probe(cluster);
                CpuUse.Snapshot[] start = new CpuUse.Snapshot[1];
                CpuUse.Snapshot[] end = new CpuUse.Snapshot[1];
                OptionalLong[] requests = new OptionalLong[2];
                List<Map<String, Long>> allocated = new ArrayList<>();
                long events = load.run(
                        topics,
                        window,
                        window,
                        () -> {
                            allocated.add(allocationsQuietly(cluster, prefix));
                            start[0] = probe.snapshot();
                            requests[0] = switchRequests(cluster.apiUrls());
                        },
                        () -> {
                            end[0] = probe.snapshot();
                            requests[1] = switchRequests(cluster.apiUrls());
                            allocated.add(allocationsQuietly(cluster, prefix));
                        });
                // allocations in the window (re-allocations: readers starting over, failovers) and before it
                Map<String, Long> allocations = subtract(allocated.get(1), allocated.get(0));
                return new ScalingPoint(
                        shards,
                        nodes,
                        apis,
                        settings.mode(),
                        events,
                        (end[0].nanos() - start[0].nanos()) / 1e9,
                        allocated.get(1),
                        allocations,
                        requests[0].isPresent() && requests[1].isPresent()
                                ? OptionalLong.of(requests[1].getAsLong() - requests[0].getAsLong())
                                : OptionalLong.empty(),
                        probe.figures(start[0], end[0]));
            } finally {
                clients.forEach(SwitchboardClient::close);
            }
        }
    }

    private List<String> topics(String prefix) {
        return IntStream.range(0, settings.sessions()).mapToObj(i -> prefix + i).toList();
    }

    /** One client per API node, each trying the others after its own (failover only). */
    private static List<SwitchboardClient> clients(List<URI> apiUrls, String token) {
        List<SwitchboardClient> clients = new ArrayList<>();
        for (int i = 0; i < apiUrls.size(); i++) {
            List<URI> rotated = new ArrayList<>(apiUrls.subList(i, apiUrls.size()));
            rotated.addAll(apiUrls.subList(0, i));
            clients.add(SwitchboardClient.builder().urls(rotated).token(token).build());
        }
        return clients;
    }

    /**
     * Requests the API nodes have sent through the switch so far ({@code switchboard_switch_requests_total} of each
     * node's {@code /metrics}, every shard and outcome); each is two broker messages, the request and its answer.
     */
    static OptionalLong switchRequests(List<URI> apiUrls) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long total = 0;
        for (URI api : apiUrls) {
            HttpRequest request = HttpRequest.newBuilder(api.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build();
            try {
                total += sumOf(
                        http.send(request, HttpResponse.BodyHandlers.ofString()).body(), SWITCH_REQUESTS);
            } catch (IOException e) {
                return OptionalLong.empty(); // a starved node may not answer in time: unknown, not a failed run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return OptionalLong.of(total);
    }

    private static final String SWITCH_REQUESTS = "switchboard_switch_requests_total";

    /** The sum of every series of {@code metric} in a Prometheus text body. */
    static long sumOf(String prometheusText, String metric) {
        long sum = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Map<String, Long> allocationsQuietly(Cluster cluster, String prefix) {
        try {
            return allocations(cluster, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the backend logs", e);
        }
    }

    /** Session allocations so far per backend node on topics starting with {@code prefix}, from the backend logs. */
    static Map<String, Long> allocations(Cluster cluster, String prefix) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        for (Member member : cluster.members()) {
            if (!member.role().equals("backend")) {
                continue;
            }
            counts.putIfAbsent(member.name(), 0L);
            Path previous = member.log().resolveSibling(member.log().getFileName() + ".previous");
            for (Path log : List.of(previous, member.log())) {
                if (Files.exists(log)) {
                    countAllocations(Files.readAllLines(log, StandardCharsets.UTF_8), prefix, counts);
                }
            }
        }
        return counts;
    }

    static void countAllocations(List<String> lines, String prefix, Map<String, Long> counts) {
        for (String line : lines) {
            Matcher matcher = ALLOCATED.matcher(line);
            if (matcher.find() && matcher.group(1).startsWith(prefix)) {
                counts.merge(matcher.group(2), 1L, Long::sum);
            }
        }
    }

    private static Map<String, Long> subtract(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> difference = new TreeMap<>();
        after.forEach((node, count) -> difference.put(node, count - before.getOrDefault(node, 0L)));
        return difference;
    }

    /** What CPU figures are read from: the cluster's processes and groups, this process and the broker. */
    private static final class Probe {
        private final List<Member> members;
        private final Optional<Long> broker = CpuUse.rabbitMqPid();
        private final long self = ProcessHandle.current().pid();

        Probe(Cluster cluster) {
            this.members = cluster.members();
        }

        CpuUse.Snapshot snapshot() {
            List<Long> pids = new ArrayList<>(members.stream().map(Member::pid).toList());
            pids.add(self);
            broker.ifPresent(pids::add);
            List<Path> groups = members.stream()
                    .flatMap(member -> member.cpuGroup().stream())
                    .toList();
            return CpuUse.snapshot(pids, groups);
        }

        ScalingPoint.Cpu figures(CpuUse.Snapshot start, CpuUse.Snapshot end) {
            double backends = 0;
            double apis = 0;
            double throttled = 0;
            int groups = 0;
            Optional<Double> kafka = Optional.empty();
            for (Member member : members) {
                Optional<Double> cores = CpuUse.cores(start, end, member.pid());
                switch (member.role()) {
                    case "kafka" -> kafka = cores;
                    case "backend" -> backends += cores.orElse(0.0);
                    default -> apis += cores.orElse(0.0);
                }
                Optional<Double> share = member.cpuGroup().flatMap(group -> CpuUse.throttledShare(start, end, group));
                if (share.isPresent()) {
                    throttled += share.get();
                    groups++;
                }
            }
            return new ScalingPoint.Cpu(
                    backends,
                    apis,
                    groups == 0 ? Optional.empty() : Optional.of(throttled / groups),
                    CpuUse.cores(start, end, self),
                    kafka,
                    broker.flatMap(pid -> CpuUse.cores(start, end, pid)),
                    CpuUse.machineBusy(start, end),
                    CpuUse.loadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
    }
}
