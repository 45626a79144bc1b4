package dev.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one measured phase.
 *
 * @param system "switchboard" or "kafka"
 * @param phase what was measured: write, read or roundtrip
 * @param events events moved
 * @param bytes payload bytes moved
 * @param nanos wall time of the phase
 * @param latencyMicros latency per event in microseconds (see {@link BenchMode} for what each mode times)
 * @param cpuNanos CPU time of the whole bench process during the phase (with --standalone: client, API, backend
 *     and broker), a figure that shared, busy machines disturb less than wall time
 * @param processCpuNanos CPU time of each process the bench was told about ({@link ProcessCpu}) during the phase
 * @param requests the calls the API tier answered during the phase, by call name ({@link ApiRequests}); empty when
 *     not counted
 */
public record PhaseResult(
        String system,
        String phase,
        long events,
        long bytes,
        long nanos,
        Histogram latencyMicros,
        long cpuNanos,
        Map<String, Long> processCpuNanos,
        Map<String, Long> requests) {

    public PhaseResult(
            String system, String phase, long events, long bytes, long nanos, Histogram latencyMicros, long cpuNanos) {
        this(system, phase, events, bytes, nanos, latencyMicros, cpuNanos, Map.of(), Map.of());
    }

    /** The same result with the process CPU time the phase used. */
    PhaseResult withCpuNanos(long cpu) {
        return new PhaseResult(system, phase, events, bytes, nanos, latencyMicros, cpu, processCpuNanos, requests);
    }

    /** The same result with the CPU time of each named process during the phase. */
    PhaseResult withProcessCpuNanos(Map<String, Long> cpu) {
        return new PhaseResult(system, phase, events, bytes, nanos, latencyMicros, cpuNanos, Map.copyOf(cpu), requests);
    }

    /** The same result with the API calls answered during the phase, by call name. */
    PhaseResult withRequests(Map<String, Long> calls) {
        return new PhaseResult(
                system, phase, events, bytes, nanos, latencyMicros, cpuNanos, processCpuNanos, Map.copyOf(calls));
    }

    /** API calls per thousand events, by call name, then {@code all}; empty when not counted. */
    Map<String, Double> requestsPerThousandEvents() {
        Map<String, Double> perCall = new LinkedHashMap<>();
        requests.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(call -> perCall.put(call.getKey(), call.getValue() * 1000.0 / Math.max(1, events)));
        if (!perCall.isEmpty()) {
            perCall.put(
                    "all", requests.values().stream().mapToLong(Long::longValue).sum() * 1000.0 / Math.max(1, events));
        }
        return perCall;
    }

    /** CPU milliseconds per thousand events of each named process, in the order measured. */
    Map<String, Double> processCpuMillisPerThousandEvents() {
        Map<String, Double> perProcess = new LinkedHashMap<>();
        processCpuNanos.forEach((name, nanos) -> perProcess.put(name, nanos / 1e6 / Math.max(1, events) * 1000));
        return perProcess;
    }

    /** Process CPU milliseconds per thousand events. */
    public double cpuMillisPerThousandEvents() {
        return cpuNanos / 1e6 / Math.max(1, events) * 1000;
    }

    public double eventsPerSecond() {
        return events * 1e9 / Math.max(1, nanos);
    }

    /** Payload megabytes (10^6 bytes) per second. */
    public double megabytesPerSecond() {
        return bytes * 1e9 / Math.max(1, nanos) / 1e6;
    }

    public double seconds() {
        return nanos / 1e9;
    }

    /** The latency at {@code percentile} (0-100) in milliseconds. */
    public double latencyMillis(double percentile) {
        return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatencyMillis() {
        return latencyMicros.getMaxValue() / 1000.0;
    }

    /** The latency percentiles as a JSON object: p50, p99, p99.9 and max, in milliseconds. */
    Map<String, Object> latencyJson() {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", latencyMillis(50));
        latency.put("p99", latencyMillis(99));
        latency.put("p99.9", latencyMillis(99.9));
        latency.put("max", maxLatencyMillis());
        return latency;
    }
}
