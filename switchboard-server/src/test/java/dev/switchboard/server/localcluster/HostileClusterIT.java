package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.api.ApiLimits;
import dev.switchboard.server.HostileClientsSuite;
import dev.switchboard.server.ops.PrometheusText;
import dev.switchboard.server.standalone.DevIssuer;
import dev.switchboard.testkit.AmqpExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-client suite against a real local cluster: one API node, one backend node (so every session of the
 * attacks lands on it), Kafka, each a separate JVM, the AMQP switch between the tiers on the test's broker. The
 * backend's budgets are set for the 512 MiB heap local-cluster gives it ({@value #MAX_STAGED_BYTES} bytes of staged
 * writes, {@value #MAX_PREFETCH_BYTES} of read buffers, through the environment its nodes inherit).
 *
 * <p>After each attack, for the API node and the backend node: the process answers {@code /health/ready}; its
 * live heap after a full GC ({@code jcmd <pid> GC.class_histogram}, which collects first) is under its budgets
 * plus {@link #BASELINE_HEAP}; its RSS ({@code /proc/<pid>/status}) is under its {@code -Xmx} plus
 * {@link #NON_HEAP}.
 */
class HostileClusterIT extends HostileClientsSuite {
    static final long MAX_STAGED_BYTES = 96L << 20;
    static final long MAX_PREFETCH_BYTES = 96L << 20;
    /** What a node holds beyond its budgets: classes, Kafka and AMQP clients, sessions, caches, garbage in flight. */
    static final long BASELINE_HEAP = 160L << 20;
    /** Outside the heap: metaspace, code cache, thread stacks, GC structures, direct buffers, malloc arenas. */
    static final long NON_HEAP = 320L << 20;

    static final long BACKEND_XMX = 512L << 20; // local-cluster's -Xmx512m
    static final long API_XMX = 384L << 20; // local-cluster's -Xmx384m

    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    /** Kept when a test fails: the nodes' logs say what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;

    private static RunningCluster cluster;
    private static RunningCluster.Member api;
    private static RunningCluster.Member backend;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RunningCluster.start(
                workDir,
                Map.of(
                        "SWITCHBOARD_LIMITS_MAX_STAGED_BYTES", Long.toString(MAX_STAGED_BYTES),
                        "SWITCHBOARD_LIMITS_MAX_PREFETCH_BYTES", Long.toString(MAX_PREFETCH_BYTES)),
                "--shards",
                "1",
                "--backends",
                "1",
                "--apis",
                "1",
                "--amqp",
                AMQP.newVirtualHost().toString());
        api = cluster.members("api").getFirst();
        backend = cluster.members("backend").getFirst();
        startWellBehaved(URI.create(api.url()), mint("good-client"));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            assertWellBehavedServed();
            System.out.println("hostile-cluster: after all attacks: " + measure(api) + "; " + measure(backend));
        } finally {
            cluster.close();
        }
    }

    private static String mint(String subject) throws Exception {
        return DevIssuer.load(cluster.dataDir())
                .mint(subject, List.of("switchboard:read:*", "switchboard:write:*"), Duration.ofMinutes(10));
    }

    @Override
    protected URI api() {
        return URI.create(api.url());
    }

    @Override
    protected String token(String subject) throws Exception {
        return mint(subject);
    }

    @Override
    protected void assertServedAndBounded(String after) throws Exception {
        assertThat(PrometheusText.status(api().resolve("/health/ready"))).isEqualTo(200);
        assertThat(PrometheusText.status(URI.create(backend.metrics()).resolve("/health/ready")))
                .isEqualTo(200);
        Memory apiMemory = measure(api);
        Memory backendMemory = measure(backend);
        System.out.println("hostile-cluster: " + after + ": " + apiMemory + "; " + backendMemory + "; "
                + switchOutcomes() + "; " + wellBehavedProgress() + "; " + measuredWhen());
        assertThat(apiMemory.heapAfterGc())
                .as("API node heap after GC, %s", after)
                .isLessThan(ApiLimits.DEFAULT_MAX_BODY_BYTES_IN_FLIGHT + BASELINE_HEAP);
        assertThat(apiMemory.rss()).as("API node RSS, %s", after).isLessThan(API_XMX + NON_HEAP);
        assertThat(backendMemory.heapAfterGc())
                .as("backend node heap after GC, %s", after)
                .isLessThan(MAX_STAGED_BYTES + MAX_PREFETCH_BYTES + BASELINE_HEAP);
        assertThat(backendMemory.rss()).as("backend node RSS, %s", after).isLessThan(BACKEND_XMX + NON_HEAP);
    }

    @Override
    protected long bodyBytesInFlight() throws Exception {
        return (long) PrometheusText.scrape(URI.create(api.metrics())).value("switchboard_api_body_bytes_in_flight");
    }

    @Override
    protected long refused(String key) throws Exception {
        PrometheusText metrics = backendMetrics();
        double count = switch (key) {
            case "max-sessions" -> metrics.value("switchboard_sessions_refused_total", "reason", "node-full");
            case "max-sessions-per-principal" ->
                metrics.value("switchboard_sessions_refused_total", "reason", "principal-full");
            case "max-requests-per-principal" ->
                metrics.value("switchboard_requests_refused_total", "reason", "principal-requests");
            case "max-staged-bytes" -> // the node's budget, or a principal's share of it
                metrics.value("switchboard_writes_refused_total", "reason", "staged-bytes")
                        + metrics.value("switchboard_writes_refused_total", "reason", "principal-staged-bytes");
            case "max-prefetch-bytes" -> // the node's read buffers, or a principal's share of them
                metrics.value("switchboard_reads_refused_total", "reason", "prefetch-bytes")
                        + metrics.value("switchboard_reads_refused_total", "reason", "principal-prefetch-bytes");
            default -> throw new IllegalArgumentException(key);
        };
        return (long) count;
    }

    @Override
    protected long stagedBytes() throws Exception {
        return (long) backendMetrics().value("switchboard_staged_bytes");
    }

    @Override
    protected long prefetchBytes() throws Exception {
        return (long) backendMetrics().value("switchboard_prefetch_bytes");
    }

    @Override
    protected long maxStagedBytes() {
        return MAX_STAGED_BYTES;
    }

    @Override
    protected long maxPrefetchBytes() {
        return MAX_PREFETCH_BYTES;
    }

    /**
     * How the API node's requests over the switch ended so far, for the log: {@code node-gone} counts requests
     * answered SESSION_LOST because their node fell silent in presence while holding them.
     */
    private static String switchOutcomes() throws Exception {
        PrometheusText metrics = PrometheusText.scrape(URI.create(api.metrics()));
        StringBuilder line = new StringBuilder("switch requests");
        for (String outcome : List.of("ok", "returned", "timeout", "unreachable", "node-gone")) {
            line.append(' ').append(outcome).append('=').append((long)
                    metrics.value("switchboard_switch_requests_total", "outcome", outcome));
        }
        return line.toString();
    }

    private static PrometheusText backendMetrics() throws Exception {
        return PrometheusText.scrape(URI.create(backend.metrics()));
    }

    /** A process's live heap after a full GC and its resident set, in bytes. */
    record Memory(String role, long heapAfterGc, long rss) {
        @Override
        public String toString() {
            return role + " heap after GC " + (heapAfterGc >> 20) + " MiB, RSS " + (rss >> 20) + " MiB";
        }
    }

    private static Memory measure(RunningCluster.Member member) throws IOException, InterruptedException {
        return new Memory(member.role(), liveHeapAfterGc(member.pid()), rss(member.pid()));
    }

    /** {@code jcmd <pid> GC.class_histogram}: a full GC, then every live object counted; its total. */
    private static long liveHeapAfterGc(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + tail(output));
        }
        Matcher total = HISTOGRAM_TOTAL.matcher(output);
        if (!total.find()) {
            throw new IOException("no total in jcmd's class histogram: " + tail(output));
        }
        return Long.parseLong(total.group(1));
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).strip().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static String tail(String output) {
        return output.length() <= 2000 ? output : output.substring(output.length() - 2000);
    }
}
