package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The scaling bench's arithmetic and text: efficiency, the scaling line, defaults, allocations from log lines. */
class ScalingReportTest {
    private static final URI AMQP = URI.create("amqp://guest:guest@127.0.0.1:5672");

    private static ScalingSettings settings(List<Integer> nodes, List<Integer> shards) {
        return new ScalingSettings(BenchMode.WRITE, nodes, shards, 0.1, 8, 5, 0, 256, 100, 1000, AMQP);
    }

    private static ScalingPoint point(int shards, int nodes, long events, double busy) {
        return point(shards, nodes, events, busy, 0, true);
    }

    private static ScalingPoint point(
            int shards, int nodes, long events, double busy, long reallocations, boolean steady) {
        ScalingPoint.Cpu cpu = new ScalingPoint.Cpu(
                0.2,
                0.1,
                Optional.of(0.9),
                Optional.of(0.03),
                Optional.of(0.2),
                Optional.of(0.1),
                Optional.of(0.05),
                Optional.of(busy),
                Optional.of(1.5),
                2);
        return new ScalingPoint(
                shards,
                nodes,
                nodes,
                BenchMode.WRITE,
                events,
                10.0,
                Map.of("backend-s0-1", 4L),
                Map.of("backend-s0-1", 1L),
                reallocations,
                new ScalingPoint.Warmup(30, true, 15, steady),
                OptionalLong.of(1000),
                cpu);
    }

    @Test
    void efficiencyIsTheLastRateOverTheFirstTimesTheNodeFactor() {
        ScalingReport report = new ScalingReport(
                settings(List.of(1, 2, 4), List.of(1, 2)),
                List.of(
                        point(1, 1, 10_000, 0.5),
                        point(1, 2, 19_000, 0.5),
                        point(1, 4, 34_000, 0.5),
                        point(2, 1, 20_000, 0.5),
                        point(2, 2, 30_000, 0.5),
                        point(2, 4, 40_000, 0.95)));

        assertThat(report.scalingLine(1))
                .isEqualTo("scaling=0.85 nodes=1,2,4 rates=1000,1900,3400 mode=write shards=1 backends=1,2,4"
                        + " apis=1,2,4");
        // nodes are backend nodes per shard: at 2 shards, twice as many backends; API nodes as many as nodes
        assertThat(report.summaryLine())
                .isEqualTo("scaling=0.50 nodes=1,2,4 rates=2000,3000,4000 mode=write shards=2 backends=2,4,8"
                        + " apis=1,2,4");
        assertThat(report.json().get("scaling")).isEqualTo(Map.of("1", 0.85, "2", 0.5));
        // nodes 2 and 4 only: the factor is 2
        assertThat(ScalingReport.efficiency(List.of(point(1, 2, 10_000, 0), point(1, 4, 15_000, 0))))
                .isEqualTo(0.75);
    }

    @Test
    void aPointSaysWhetherTheMachineHadCpuToSpare() {
        assertThat(point(1, 1, 10_000, 0.5).describe())
                .startsWith("shards=1 nodes=1 per shard (backends=1, apis=1) write 1000 events/s (10000 in 10.0 s,"
                        + " after warm-ups of 30 s uncapped and 15 s capped); allocations backend-s0-1=4 (in the window"
                        + " backend-s0-1=1, re-allocations 0); switch 100 requests/s, cpu us/request: backends 2000,"
                        + " apis 1000, broker 500; cpu cores: backends 0.20, apis 0.10 (throttled 90% of"
                        + " periods; their JIT 0.03 more, uncapped), load generator 0.20, kafka 0.10, broker 0.05,"
                        + " machine busy 50% of 2 cores, load average 1.5;")
                .endsWith("unsaturated: the machine had idle CPU, the capped nodes set the rate");
        assertThat(point(2, 4, 10_000, 0.5).describe()).startsWith("shards=2 nodes=4 per shard (backends=8, apis=4)");
        assertThat(point(1, 1, 10_000, 0.95).describe()).contains("; SATURATED: the machine had no idle CPU");
    }

    @Test
    void aPointSaysWhenSessionsFailedOverOrTheRateWasNotSteady() {
        assertThat(point(1, 1, 10_000, 0.5).describe())
                .doesNotContain("FAILOVERS")
                .doesNotContain("NOT STEADY");
        assertThat(point(1, 1, 10_000, 0.5, 3, true).describe())
                .contains("re-allocations 3);")
                .contains("; FAILOVERS in the window");
        assertThat(point(1, 1, 10_000, 0.5, 0, false).describe()).contains("; NOT STEADY");
    }

    @Test
    void aPointSaysWhenTheNodesStillCompiled() {
        assertThat(point(1, 1, 10_000, 0.5).describe()).doesNotContain("JIT NOT SETTLED");
        ScalingPoint point = point(1, 1, 10_000, 0.5);
        ScalingPoint stillCompiling = new ScalingPoint(
                point.shards(),
                point.nodes(),
                point.apis(),
                point.mode(),
                point.events(),
                point.seconds(),
                point.sessionsPerNode(),
                point.allocations(),
                point.reallocations(),
                new ScalingPoint.Warmup(320, false, 15, true),
                point.switchRequests(),
                point.cpu());
        assertThat(stillCompiling.describe())
                .contains("after warm-ups of 320 s uncapped and 15 s capped")
                .contains("; JIT NOT SETTLED: at the end of the uncapped warm-up");
    }

    @Test
    void theJitHasSettledWhenItsCompilerThreadsAreDownToATrickle() {
        // at most 0.025 cores per API and backend process
        assertThat(cpu(Optional.of(0.05)).jitSettled(2)).isTrue();
        assertThat(cpu(Optional.of(0.051)).jitSettled(2)).isFalse();
        assertThat(cpu(Optional.of(0.29)).jitSettled(12)).isTrue();
        // off Linux the compiler threads cannot be read: nothing to wait for
        assertThat(cpu(Optional.empty()).jitSettled(2)).isTrue();
    }

    private static ScalingPoint.Cpu cpu(Optional<Double> jit) {
        return new ScalingPoint.Cpu(
                0.2,
                0.1,
                Optional.empty(),
                jit,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                2);
    }

    @Test
    void theDefaultCapKeepsThreeQuartersOfTheMachineBusyAtTheLargestConfiguration() {
        // largest configuration: 4 x 2 backends and 4 API nodes at their caps, and as much again for the load
        // generator, Kafka and the broker: 0.75 x 2 cores / (12 x 2) = 0.0625
        assertThat(ScalingSettings.defaultNodeCpu(List.of(1, 2, 4), List.of(1, 2), 2))
                .isEqualTo(0.06);
        // one shard: 4 backends and 4 API nodes, 1.5 / 16
        assertThat(ScalingSettings.defaultNodeCpu(List.of(1, 2, 4), List.of(1), 2))
                .isEqualTo(0.09);
        assertThat(ScalingSettings.defaultNodeCpu(List.of(1, 2), List.of(1), 2)).isEqualTo(0.18);
        assertThat(ScalingSettings.defaultNodeCpu(List.of(1, 2, 4), List.of(1, 2), 8))
                .isEqualTo(0.25);
        assertThat(ScalingSettings.defaultNodeCpu(List.of(1, 2, 4), List.of(1, 2), 1))
                .isEqualTo(0.05);
    }

    @Test
    void theSessionsGrowWithTheBackendNodes() {
        ScalingSettings settings = settings(List.of(1, 2, 4), List.of(1, 2));
        assertThat(settings.sessions(1, 1)).isEqualTo(8);
        assertThat(settings.sessions(4, 2)).isEqualTo(64);
        assertThat(settings.sliceSeconds()).isEqualTo(1);
        assertThat(settings.maxCappedWarmupSeconds()).isEqualTo(15);
    }

    @Test
    void badSettingsSayWhatIsWrong() {
        assertThatThrownBy(() -> settings(List.of(2, 1), List.of(1))).hasMessageContaining("--nodes must be ascending");
        assertThatThrownBy(() -> settings(List.of(1), List.of(0))).hasMessageContaining("--shards takes 1 to 16");
        assertThatThrownBy(() ->
                        new ScalingSettings(BenchMode.WRITE, List.of(1), List.of(1), 0.1, 1, 1, -1, 64, 1, 1, AMQP))
                .hasMessageContaining("--jit-wait must be 0 or more seconds, got -1");
        assertThatThrownBy(
                        () -> new ScalingSettings(BenchMode.TAIL, List.of(1), List.of(1), 0.1, 1, 1, 0, 64, 1, 1, AMQP))
                .hasMessageContaining("not tail");
    }

    @Test
    void switchRequestsAreSummedOverEverySeriesOfTheMetric() {
        String metrics = "# HELP switchboard_switch_requests_total Requests\n"
                + "# TYPE switchboard_switch_requests_total counter\n"
                + "switchboard_switch_requests_total{outcome=\"answered\",shard=\"s0\"} 120.0\n"
                + "switchboard_switch_requests_total{outcome=\"timeout\",shard=\"s1\"} 3.0\n"
                + "switchboard_switch_requests_other 7.0\n";

        assertThat(ScalingBench.sumOf(metrics, "switchboard_switch_requests_total"))
                .isEqualTo(123);
    }

    @Test
    void allocationsAreCountedPerNodeFromTheBackendLogForTheRunsTopicsOnly() {
        List<String> log = List.of(
                "2026-12-05T03:00:00Z [INFO] SessionRegistry - session allocated session=s0.backend-s0-2.ab"
                        + " topic=scale-1-run-0 mode=WRITE node=backend-s0-2",
                "2026-12-05T03:00:00Z [INFO] SessionRegistry - session allocated session=s0.backend-s0-2.cd"
                        + " topic=scale-1-run-1 mode=WRITE node=backend-s0-2",
                "2026-12-05T03:00:00Z [INFO] SessionRegistry - session allocated session=s0.backend-s0-1.ef"
                        + " topic=other-topic mode=READ node=backend-s0-1",
                "2026-12-05T03:00:00Z [INFO] SessionRegistry - session disposed session=s0.backend-s0-2.ab");
        Map<String, Long> counts = new TreeMap<>(Map.of("backend-s0-1", 0L));

        ScalingBench.countAllocations(log, "scale-1-", counts);

        assertThat(counts).containsExactly(Map.entry("backend-s0-1", 0L), Map.entry("backend-s0-2", 2L));
    }
}
