package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The measured phases of a run and its summary.
 *
 * @param settings what was run
 * @param phases the measured phases, Switchboard first, then the raw Kafka baseline when asked for
 */
public record BenchResult(BenchSettings settings, List<PhaseResult> phases) implements BenchReport {

    public BenchResult {
        phases = List.copyOf(phases);
    }

    public Optional<PhaseResult> phase(String system) {
        return phases.stream().filter(p -> p.system().equals(system)).findFirst();
    }

    /** Switchboard's events/s over raw Kafka's, when the baseline ran. */
    public Optional<Double> ratio() {
        return phase("switchboard")
                .flatMap(sb -> phase("kafka").map(kafka -> sb.eventsPerSecond() / kafka.eventsPerSecond()));
    }

    /** The last line: {@code ratio=<switchboard/kafka> switchboard=<events/s> kafka=<events/s> mode=<m> size=<b>}. */
    @Override
    public String summaryLine() {
        return String.format(
                Locale.ROOT,
                "ratio=%s switchboard=%s kafka=%s mode=%s size=%d",
                ratio().map(r -> String.format(Locale.ROOT, "%.2f", r)).orElse("n/a"),
                phase("switchboard").map(BenchResult::rate).orElse("n/a"),
                phase("kafka").map(BenchResult::rate).orElse("n/a"),
                settings.mode().label(),
                settings.size());
    }

    private static String rate(PhaseResult phase) {
        return String.format(Locale.ROOT, "%.0f", phase.eventsPerSecond());
    }

    /** One human-readable line per phase. */
    public static String describe(PhaseResult p) {
        return String.format(
                        Locale.ROOT,
                        "%-11s %-9s %d events in %.2f s: %.0f events/s, %.1f MB/s;"
                                + " latency ms p50=%.2f p99=%.2f p99.9=%.2f max=%.2f; cpu %.0f ms/1000 events",
                        p.system(),
                        p.phase(),
                        p.events(),
                        p.seconds(),
                        p.eventsPerSecond(),
                        p.megabytesPerSecond(),
                        p.latencyMillis(50),
                        p.latencyMillis(99),
                        p.latencyMillis(99.9),
                        p.maxLatencyMillis(),
                        p.cpuMillisPerThousandEvents())
                + requests(p);
    }

    /** {@code "; calls/1000 events: read=10.0 ack=0.0 all=10.0"}, or nothing when the calls were not counted. */
    private static String requests(PhaseResult p) {
        StringBuilder line = new StringBuilder();
        p.requestsPerThousandEvents()
                .forEach((call, perThousand) -> line.append(String.format(Locale.ROOT, " %s=%.1f", call, perThousand)));
        return line.isEmpty() ? "" : "; calls/1000 events:" + line;
    }

    @Override
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", settings.mode().label());
        json.put("events", settings.events());
        json.put("size", settings.size());
        json.put("payload", settings.payload().name().toLowerCase(java.util.Locale.ROOT));
        json.put("sessions", settings.sessions());
        json.put("batch", settings.batch());
        json.put("warmupEvents", settings.warmupEvents());
        json.put("roundTrips", settings.fewerRoundTrips() ? "fewer" : "separate");
        json.put("ratio", ratio().orElse(null));
        List<Map<String, Object>> phaseList = new ArrayList<>();
        for (PhaseResult p : phases) {
            Map<String, Object> phase = new LinkedHashMap<>();
            phase.put("system", p.system());
            phase.put("phase", p.phase());
            phase.put("events", p.events());
            phase.put("bytes", p.bytes());
            phase.put("seconds", p.seconds());
            phase.put("eventsPerSecond", p.eventsPerSecond());
            phase.put("megabytesPerSecond", p.megabytesPerSecond());
            phase.put("latencyMs", p.latencyJson());
            phase.put("cpuMsPerThousandEvents", p.cpuMillisPerThousandEvents());
            phase.put("cpuMsPerThousandEventsByProcess", p.processCpuMillisPerThousandEvents());
            phase.put("requestsPerThousandEvents", p.requestsPerThousandEvents());
            phaseList.add(phase);
        }
        json.put("phases", phaseList);
        return json;
    }
}
