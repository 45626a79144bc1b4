package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The configurations of a {@code bench --scaling} run and its scaling lines, one per shard count: {@code
 * scaling=<rate(last nodes) / (last/first x rate(first nodes))> nodes=1,2,4 rates=<r1>,<r2>,<r4> mode=<mode>
 * shards=<s> backends=<b1>,<b2>,<b4> apis=<a1>,<a2>,<a4>}. "nodes" are backend nodes per shard; the backends of a
 * configuration are shards x nodes, its API nodes as many as nodes. With the default nodes 1, 2, 4 the efficiency is
 * rate(4) / (4 x rate(1)): 1.0 is perfectly linear.
 */
public record ScalingReport(ScalingSettings settings, List<ScalingPoint> points) implements BenchReport {

    public ScalingReport {
        points = List.copyOf(points);
    }

    private List<ScalingPoint> ofShards(int shards) {
        return points.stream().filter(point -> point.shards() == shards).toList();
    }

    /** The efficiency from the fewest to the most nodes per shard, for one shard count. */
    static double efficiency(List<ScalingPoint> points) {
        ScalingPoint first = points.getFirst();
        ScalingPoint last = points.getLast();
        double factor = (double) last.nodes() / first.nodes();
        return last.rate() / (factor * Math.max(1e-9, first.rate()));
    }

    String scalingLine(int shards) {
        List<ScalingPoint> measured = ofShards(shards);
        return String.format(
                Locale.ROOT,
                "scaling=%.2f nodes=%s rates=%s mode=%s shards=%d backends=%s apis=%s",
                efficiency(measured),
                measured.stream().map(point -> Integer.toString(point.nodes())).collect(Collectors.joining(",")),
                measured.stream()
                        .map(point -> String.format(Locale.ROOT, "%.0f", point.rate()))
                        .collect(Collectors.joining(",")),
                settings.mode().label(),
                shards,
                measured.stream()
                        .map(point -> Integer.toString(point.backends()))
                        .collect(Collectors.joining(",")),
                measured.stream().map(point -> Integer.toString(point.apis())).collect(Collectors.joining(",")));
    }

    /** The scaling line of the largest shard count. */
    @Override
    public String summaryLine() {
        return scalingLine(points.getLast().shards());
    }

    @Override
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", settings.mode().label());
        json.put("nodeCpu", settings.nodeCpu());
        json.put("sessionsPerNode", settings.sessionsPerNode());
        json.put("seconds", settings.seconds());
        json.put("size", settings.size());
        json.put("batch", settings.batch());
        List<Map<String, Object>> configurations = new ArrayList<>();
        for (ScalingPoint point : points) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("shards", point.shards());
            entry.put("nodes", point.nodes());
            entry.put("backends", point.backends());
            entry.put("apis", point.apis());
            entry.put("eventsPerSecond", point.rate());
            entry.put("allocations", point.sessionsPerNode());
            entry.put("allocationsInWindow", point.allocations());
            entry.put("reallocationsInWindow", point.reallocations());
            entry.put("uncappedWarmupSeconds", point.warmup().uncappedSeconds());
            entry.put("cappedWarmupSeconds", point.warmup().cappedSeconds());
            entry.put("steady", point.warmup().steady());
            entry.put(
                    "switchRequests",
                    point.switchRequests().isPresent() ? point.switchRequests().getAsLong() : null);
            entry.put("brokerMicrosPerRequest", point.brokerMicrosPerRequest().orElse(null));
            entry.put("backendCores", point.cpu().backends());
            entry.put("apiCores", point.cpu().apis());
            entry.put("throttled", point.cpu().throttled().orElse(null));
            entry.put("jitCores", point.cpu().jit().orElse(null));
            entry.put("loadGeneratorCores", point.cpu().loadGenerator().orElse(null));
            entry.put("kafkaCores", point.cpu().kafka().orElse(null));
            entry.put("brokerCores", point.cpu().broker().orElse(null));
            entry.put("machineBusy", point.cpu().machineBusy().orElse(null));
            entry.put("loadAverage", point.cpu().loadAverage().orElse(null));
            entry.put("saturated", point.cpu().saturated());
            entry.put("jitSettled", point.warmup().jitSettled());
            configurations.add(entry);
        }
        json.put("configurations", configurations);
        Map<String, Object> efficiency = new LinkedHashMap<>();
        for (int shards : settings.shards()) {
            efficiency.put(Integer.toString(shards), efficiency(ofShards(shards)));
        }
        json.put("scaling", efficiency);
        return json;
    }
}
