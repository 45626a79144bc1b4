package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.NodeLimits;
import dev.switchboard.server.HostileClientsSuite;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-client suite against a real standalone node (embedded Kafka, the API with its default limits,
 * tokens and MACs on). After each attack the JVM's heap after a full GC (node, embedded Kafka and test share it)
 * must stay under {@link #HEAP_BOUND_BYTES}; RSS is reported (the test JVM has no -Xmx, so the heap grows as it
 * likes). The same attacks against a local cluster, with RSS asserted per process: {@code HostileClusterIT}.
 */
class HostileClientsIT extends HostileClientsSuite {
    /**
     * Node, embedded Kafka and test in one JVM, including the 256 MiB of uncommitted writes the node may hold
     * (max-staged-bytes) once the hoarding writers have filled it, and read-ahead left over (max-prefetch-bytes):
     * within a 1 GiB heap.
     */
    static final long HEAP_BOUND_BYTES = 768L << 20;

    @TempDir
    static Path dataDir;

    private static Standalone standalone;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(dataDir, 0);
        startWellBehaved(standalone.uri(), mint("good-client"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertWellBehavedServed();
            report("after all attacks");
        } finally {
            standalone.close();
        }
    }

    private static String mint(String subject) throws Exception {
        return DevIssuer.load(dataDir)
                .mint(subject, List.of("switchboard:read:*", "switchboard:write:*"), Duration.ofMinutes(10));
    }

    @Override
    protected URI api() {
        return standalone.uri();
    }

    @Override
    protected String token(String subject) throws Exception {
        return mint(subject);
    }

    @Override
    protected void assertServedAndBounded(String after) {
        assertThat(new ThriftOverHttp(standalone.uri()).get("/health/ready").statusCode())
                .isEqualTo(200);
        long heap = report(after);
        assertThat(heap).as("heap after GC, %s", after).isLessThan(HEAP_BOUND_BYTES);
    }

    @Override
    protected long bodyBytesInFlight() {
        return standalone.apiCounters().bodyBytesInFlight();
    }

    @Override
    protected long refused(String key) {
        BackendCounters counters = standalone.backendCounters();
        return switch (key) {
            case "max-sessions" -> counters.sessionsRefusedNodeFull();
            case "max-sessions-per-principal" -> counters.sessionsRefusedPrincipalFull();
            case "max-requests-per-principal" -> counters.requestsRefusedPrincipalBusy();
            case "max-staged-bytes" -> // the node's budget, or a principal's share of it
                counters.writesRefusedStagedBytes() + counters.writesRefusedPrincipalStagedBytes();
            case "max-prefetch-bytes" -> // the node's read buffers, or a principal's share of them
                counters.readsRefusedPrefetchBytes() + counters.readsRefusedPrincipalPrefetchBytes();
            default -> throw new IllegalArgumentException(key);
        };
    }

    @Override
    protected long stagedBytes() {
        return standalone.backendCounters().stagedBytes();
    }

    @Override
    protected long prefetchBytes() {
        return standalone.backendCounters().prefetchBytes();
    }

    @Override
    protected long maxStagedBytes() {
        return NodeLimits.DEFAULT_MAX_STAGED_BYTES;
    }

    @Override
    protected long maxPrefetchBytes() {
        return NodeLimits.DEFAULT_MAX_PREFETCH_BYTES;
    }

    private static long report(String after) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
                "hostile-clients: %s: heap after GC %d MiB, RSS %s, API body bytes in flight %d, staged bytes %d,"
                        + " read buffers %d; %s; %s%n",
                after,
                heap >> 20,
                rss(),
                standalone.apiCounters().bodyBytesInFlight(),
                standalone.backendCounters().stagedBytes(),
                standalone.backendCounters().prefetchBytes(),
                wellBehavedProgress(),
                measuredWhen());
        return heap;
    }

    private static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> line.substring(6).strip())
                    .findFirst()
                    .orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }
}
