package dev.switchboard.bench;

import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.core.routing.RendezvousHashing;
import java.io.IOException;
import java.io.PrintWriter;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench --scaling}: for each shard count and each number of backend nodes per shard, starts a fresh local
 * cluster with CPU-capped nodes ({@code local-cluster --node-cpu}), runs the same workload ({@link TimedLoad}) for a
 * warm-up (uncapped, then capped until the rate is steady) and then a measured window, and stops the cluster. Prints one line per configuration (rate,
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

        /** The shards' names, which the API nodes hash a new session's affinity (here: its topic) over. */
        List<String> shards();

        /** A token that grants every topic. */
        String token() throws IOException;

        /** Kafka, the backends and the API nodes as they are now. */
        List<Member> members();

        /**
         * Caps the API and backend nodes at the cluster's cores from now on (they start uncapped), their JIT compiler
         * threads outside the caps; returns how many compiler threads it moved there.
         */
        int capNodes() throws IOException;

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
                "starting a local cluster: %d shard(s) x %d backend(s), %d API node(s), %.2f cores each once warm%n",
                shards, nodes, apis, settings.nodeCpu());
        err.flush();
        try (Cluster cluster = clusters.start(shards, nodes, apis, settings.nodeCpu(), settings.amqp())) {
            List<SwitchboardClient> clients = clients(cluster.apiUrls(), cluster.token());
            try {
                TimedLoad load = new TimedLoad(clients, settings);
                String prefix = "scale-" + runId + "-" + shards + "x" + nodes + "-";
                List<String> topics = topics(prefix, settings.sessions(nodes, shards), cluster.shards());
                load.prepare(topics);
                // preparing the topics allocated sessions too: where the running sessions live is counted from here
                Map<String, Long> prepared = allocations(cluster, prefix);
                try (TimedLoad.Running running = load.start(topics)) {
                    ScalingPoint.Warmup warmup = warmUp(cluster, running);
                    return window(cluster, running, prefix, prepared, shards, nodes, apis, warmup);
                }
            } finally {
                clients.forEach(SwitchboardClient::close);
            }
        }
    }

    /**
     * The warm-up: {@code --duration} seconds with the nodes uncapped (they compile their hot code at the machine's
     * speed; at a tenth of a core the JIT takes minutes), and on in slices until the nodes' JIT has settled (at most
     * {@code --jit-wait} seconds more); then capped, in slices, until two slices in a row give
     * rates within {@value ScalingSettings#STEADY_WITHIN} of each other (or {@link
     * ScalingSettings#maxCappedWarmupSeconds}). The JIT has settled when its compiler threads are down to the trickle
     * HotSpot keeps up for minutes ({@link ScalingPoint#JIT_SETTLED_CORES_PER_PROCESS}); it runs outside the caps, and
     * the window's line gives its CPU. Why wait for the JIT: with the compiler threads outside the caps a
     * node that still compiles takes CPU from the uncapped parts, and one that has compiled less is slower per
     * request; at 4 nodes of one shard a 12 s uncapped warm-up left 8 JVMs compiling with 0.5 cores in the window.
     */
    private ScalingPoint.Warmup warmUp(Cluster cluster, TimedLoad.Running running) throws Exception {
        err.printf(
                "warm-up: at least %d s uncapped until the JIT has settled, then capped until the rate is steady%n",
                settings.seconds());
        err.flush();
        Probe probe = new Probe(cluster);
        Duration slice = Duration.ofSeconds(settings.sliceSeconds());
        CpuUse.Snapshot before = probe.snapshot();
        running.await(Duration.ofSeconds(settings.seconds()));
        int uncapped = settings.seconds();
        ScalingPoint.Cpu cpu = probe.figures(before, probe.snapshot());
        while (!cpu.jitSettled(probe.nodeProcesses()) && uncapped < settings.seconds() + settings.jitWaitSeconds()) {
            before = probe.snapshot();
            running.await(slice);
            uncapped += settings.sliceSeconds();
            cpu = probe.figures(before, probe.snapshot());
        }
        boolean jitSettled = cpu.jitSettled(probe.nodeProcesses());
        err.printf(
                Locale.ROOT,
                "uncapped warm-up %d s: JIT %s (compiler threads %s cores, the nodes' own work %.2f)%n",
                uncapped,
                jitSettled ? "settled" : "NOT settled",
                cpu.jit()
                        .map(cores -> String.format(Locale.ROOT, "%.2f", cores))
                        .orElse("n/a"),
                cpu.backends() + cpu.apis());
        int compilerThreads = cluster.capNodes();
        err.printf(
                Locale.ROOT,
                "capped at %.2f cores, %d JIT compiler threads outside the caps%n",
                settings.nodeCpu(),
                compilerThreads);
        double previous = -1;
        int seconds = 0;
        while (true) {
            long done = running.done();
            long start = System.nanoTime();
            running.await(slice);
            double rate = (running.done() - done) / ((System.nanoTime() - start) / 1e9);
            seconds += settings.sliceSeconds();
            boolean steady = previous >= 0
                    && Math.abs(rate - previous) <= ScalingSettings.STEADY_WITHIN * Math.max(rate, previous);
            if (steady || seconds >= settings.maxCappedWarmupSeconds()) {
                err.printf(
                        Locale.ROOT,
                        "capped warm-up %d s: %s (last slices %.0f and %.0f events/s)%n",
                        seconds,
                        steady ? "steady" : "NOT steady",
                        previous,
                        rate);
                err.flush();
                return new ScalingPoint.Warmup(uncapped, jitSettled, seconds, steady);
            }
            previous = rate;
        }
    }

    private ScalingPoint window(
            Cluster cluster,
            TimedLoad.Running running,
            String prefix,
            Map<String, Long> prepared,
            int shards,
            int nodes,
            int apis,
            ScalingPoint.Warmup warmup)
            throws Exception {
        Probe probe = new Probe(cluster);
        Map<String, Long> allocatedBefore = allocations(cluster, prefix);
        long reopenedBefore = running.reopened();
        Completions.Snapshot first = running.completions();
        CpuUse.Snapshot start = probe.snapshot();
        OptionalLong requestsBefore = switchRequests(cluster.apiUrls());
        running.await(Duration.ofSeconds(settings.seconds()));
        Completions.Snapshot last = running.completions();
        CpuUse.Snapshot end = probe.snapshot();
        OptionalLong requestsAfter = switchRequests(cluster.apiUrls());
        long reopened = running.reopened() - reopenedBefore;
        Map<String, Long> allocatedAfter = allocations(cluster, prefix);
        // allocations in the window: readers starting over (planned) and failovers (re-allocations)
        Map<String, Long> inWindow = subtract(allocatedAfter, allocatedBefore);
        long reallocations = Math.max(
                0, inWindow.values().stream().mapToLong(Long::longValue).sum() - reopened);
        return new ScalingPoint(
                shards,
                nodes,
                apis,
                settings.mode(),
                // the events done between the last completion before the window and the last one in it: exact
                last.events() - first.events(),
                (last.lastNanos() - first.lastNanos()) / 1e9,
                subtract(allocatedAfter, prepared),
                inWindow,
                reallocations,
                warmup,
                requestsBefore.isPresent() && requestsAfter.isPresent()
                        ? OptionalLong.of(requestsAfter.getAsLong() - requestsBefore.getAsLong())
                        : OptionalLong.empty(),
                probe.figures(start, end));
    }

    /**
     * A topic per session, as many hashing to each shard: a session goes to the shard its affinity (by default its
     * topic) hashes to, and a few random names spread unevenly (8 topics over 2 shards gave 6 and 2), which would
     * measure the hash's luck rather than the nodes. How real topics spread over shards is in docs/scaling.md's model.
     */
    static List<String> topics(String prefix, int sessions, List<String> shards) {
        int perShard = Math.ceilDiv(sessions, shards.size());
        Map<String, Integer> taken = new TreeMap<>();
        List<String> topics = new ArrayList<>();
        for (int i = 0; topics.size() < sessions; i++) {
            String topic = prefix + i;
            String shard = RendezvousHashing.choose(topic, shards).orElseThrow();
            if (taken.merge(shard, 1, Integer::sum) <= perShard) {
                topics.add(topic);
            }
        }
        return List.copyOf(topics);
    }

    /** One client over every API node: the SDK starts each session at the next one in turn, and fails over. */
    private static List<SwitchboardClient> clients(List<URI> apiUrls, String token) {
        return List.of(SwitchboardClient.builder().urls(apiUrls).token(token).build());
    }

    /**
     * Requests the API nodes have sent through the switch so far ({@code switchboard_switch_requests_total} of each
     * node's {@code /metrics}, every shard and outcome); each is two broker messages, the request and its answer.
     */
    static OptionalLong switchRequests(List<URI> apiUrls) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> answers = apiUrls.stream()
                .map(api -> http.sendAsync(
                        HttpRequest.newBuilder(api.resolve("/metrics"))
                                .timeout(METRICS_TIMEOUT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList();
        long total = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            try {
                total += sumOf(answer.get().body(), SWITCH_REQUESTS);
            } catch (ExecutionException e) {
                return OptionalLong.empty(); // a starved node may not answer in time: unknown, not a failed run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return OptionalLong.of(total);
    }

    /**
     * How long a node's {@code /metrics} may take: the nodes are read at once (in parallel), and a capped API node
     * answers behind the requests it has queued (at 0.08 cores and an unbounded load, more than 10 s).
     */
    private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(30);

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

        /** The API and backend processes. */
        int nodeProcesses() {
            return (int) members.stream()
                    .filter(member -> !member.role().equals("kafka"))
                    .count();
        }

        CpuUse.Snapshot snapshot() {
            List<Long> pids = new ArrayList<>(members.stream().map(Member::pid).toList());
            pids.add(self);
            broker.ifPresent(pids::add);
            List<Path> groups = members.stream()
                    .flatMap(member -> member.cpuGroup().stream())
                    .toList();
            List<Long> nodes = members.stream()
                    .filter(member -> !member.role().equals("kafka"))
                    .map(Member::pid)
                    .toList();
            return CpuUse.snapshot(pids, groups, nodes);
        }

        ScalingPoint.Cpu figures(CpuUse.Snapshot start, CpuUse.Snapshot end) {
            double backends = 0;
            double apis = 0;
            double throttled = 0;
            int groups = 0;
            double jit = 0;
            boolean jitKnown = false;
            Optional<Double> kafka = Optional.empty();
            for (Member member : members) {
                Optional<Double> cores = CpuUse.cores(start, end, member.pid());
                // a node's own work: its process without its JIT compiler threads (which run outside its quota)
                Optional<Double> compiling = CpuUse.jitCores(start, end, member.pid());
                double work = Math.max(0, cores.orElse(0.0) - compiling.orElse(0.0));
                switch (member.role()) {
                    case "kafka" -> kafka = cores;
                    case "backend" -> backends += work;
                    default -> apis += work;
                }
                if (!member.role().equals("kafka") && compiling.isPresent()) {
                    jit += compiling.get();
                    jitKnown = true;
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
                    jitKnown ? Optional.of(jit) : Optional.empty(),
                    CpuUse.cores(start, end, self),
                    kafka,
                    broker.flatMap(pid -> CpuUse.cores(start, end, pid)),
                    CpuUse.machineBusy(start, end),
                    CpuUse.loadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
    }
}
