package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.server.CpuControllerAssumption;
import dev.switchboard.server.SwitchboardProcess;
import dev.switchboard.testkit.AmqpExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of {@code switchboard bench --scaling} at a tiny size (1 and 2 backend nodes of one shard, two
 * seconds each), from the packaged application, so the scaling bench keeps working: the shape of every line, that
 * each configuration moved events and allocated its sessions on its own nodes, and the JSON. No timing assertions:
 * the efficiency is whatever this machine gives. Skipped where cgroups cannot be written.
 */
class ScalingBenchIT {
    private static final Pattern POINT =
            Pattern.compile("shards=1 nodes=(\\d) per shard \\(backends=(\\d), apis=(\\d)\\)"
                    + " write (\\d+) events/s \\((\\d+) in [\\d.]+ s, after warm-ups of \\d+ s uncapped and \\d+ s capped\\); allocations (\\S+)"
                    + " \\(in the window \\S+, re-allocations (\\d+)\\); switch \\S+ requests/s, cpu us/request:"
                    + " backends \\S+, apis \\S+, broker \\S+; cpu cores: backends [\\d.]+, apis [\\d.]+ \\(throttled \\S+ of"
                    + " periods; their JIT [\\d.]+ more, uncapped\\), load generator \\S+, kafka [\\d.]+, broker \\S+, machine"
                    + " busy \\S+ of \\d+ cores, load average \\S+; (SATURATED|unsaturated): .*");
    private static final Pattern CAPPED =
            Pattern.compile("capped at 1\\.00 cores, (\\d+) JIT compiler threads outside the caps");
    private static final Pattern SCALING = Pattern.compile(
            "scaling=(\\d+\\.\\d{2}) nodes=1,2 rates=(\\d+),(\\d+) mode=write shards=1 backends=1,2 apis=1,2");

    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @TempDir
    Path dir;

    @BeforeAll
    static void requireWritableCgroups() {
        CpuControllerAssumption.assumeWritable();
    }

    @Test
    void measuresEveryConfigurationAndEndsWithTheScalingLine() throws Exception {
        Path json = dir.resolve("scaling.json");
        int sessionsPerNode = 1;
        SwitchboardProcess.Result run = SwitchboardProcess.run(
                dir,
                new byte[0],
                600,
                "bench",
                "--scaling",
                "--mode",
                "write",
                "--nodes",
                "1,2",
                "--shards",
                "1",
                "--node-cpu",
                "1", // a smoke test: whole cores start the JVMs fastest
                "--duration",
                "2",
                "--jit-wait",
                "2", // the JIT of a 2 s warm-up does not settle: one more slice, then measured anyway (and said so)
                "--sessions-per-node",
                Integer.toString(sessionsPerNode),
                "--size",
                "64",
                "--batch",
                "50",
                "--amqp",
                AMQP.newVirtualHost().toString(),
                "--json",
                json.toString());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<String> lines = run.lines();
        assertThat(lines).as(run.stdout()).hasSize(3);
        for (int i = 0; i < 2; i++) {
            Matcher point = POINT.matcher(lines.get(i));
            assertThat(point.matches()).as(lines.get(i)).isTrue();
            int nodes = i + 1;
            assertThat(point.group(1)).isEqualTo(Integer.toString(nodes));
            assertThat(point.group(3)).isEqualTo(Integer.toString(nodes)); // API nodes scale alongside
            // no rate asserted: on a saturated machine a short window may commit nothing (the line says SATURATED)
            assertThat(Long.parseLong(point.group(5))).isNotNegative();
            // every running session was allocated on a backend of this configuration (those that prepared the
            // topics are not counted)
            List<String> allocations = List.of(point.group(6).split(","));
            assertThat(allocations).hasSize(nodes).allMatch(entry -> entry.matches("backend-s0-\\d=\\d+"));
            long allocated = allocations.stream()
                    .mapToLong(entry -> Long.parseLong(entry.substring(entry.indexOf('=') + 1)))
                    .sum();
            assertThat(allocated).isGreaterThanOrEqualTo((long) nodes * sessionsPerNode);
            assertThat(Long.parseLong(point.group(7))).isNotNegative(); // failovers: counted, not asserted
        }
        // each configuration's nodes were capped with their JIT compiler threads outside the caps (C1 and C2 of
        // every API and backend JVM: at least one thread each)
        Matcher capped = CAPPED.matcher(run.stderr());
        for (int nodes = 1; nodes <= 2; nodes++) {
            assertThat(capped.find()).as(run.stderr()).isTrue();
            assertThat(Integer.parseInt(capped.group(1))).isGreaterThanOrEqualTo(2 * 2 * nodes);
        }
        Matcher scaling = SCALING.matcher(lines.getLast());
        assertThat(scaling.matches()).as(lines.getLast()).isTrue();
        double rate1 = Double.parseDouble(scaling.group(2));
        double rate2 = Double.parseDouble(scaling.group(3));
        if (rate1 >= 100) { // the printed rates are rounded: compare where that does not matter
            assertThat(Double.parseDouble(scaling.group(1))).isCloseTo(rate2 / (2 * rate1), withinPercentage(5));
        }

        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.get("mode").asText()).isEqualTo("write");
        assertThat(written.get("nodeCpu").asDouble()).isEqualTo(1.0);
        assertThat(written.get("configurations")).hasSize(2);
        assertThat(written.get("scaling").get("1").isNumber()).isTrue();
        assertThat(written.get("configurations").get(1).get("allocations").size())
                .isEqualTo(2);
    }
}
