package dev.switchboard.server.bench;

import java.util.List;
import java.util.Locale;
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
                p.cpuMillisPerThousandEvents());
    }

    /** The run as JSON (written by hand: a handful of numbers needs no JSON library). */
    @Override
    public String toJson() {
        StringBuilder json = new StringBuilder();
        json.append(String.format(
                Locale.ROOT,
                "{\n  \"mode\": \"%s\",\n  \"events\": %d,\n  \"size\": %d,\n  \"sessions\": %d,\n  \"batch\": %d,"
                        + "\n  \"warmupEvents\": %d,\n  \"ratio\": %s,\n  \"phases\": [",
                settings.mode().label(),
                settings.events(),
                settings.size(),
                settings.sessions(),
                settings.batch(),
                settings.warmupEvents(),
                ratio().map(r -> String.format(Locale.ROOT, "%.4f", r)).orElse("null")));
        for (int i = 0; i < phases.size(); i++) {
            PhaseResult p = phases.get(i);
            json.append(i == 0 ? "\n" : ",\n")
                    .append(String.format(
                            Locale.ROOT,
                            "    {\"system\": \"%s\", \"phase\": \"%s\", \"events\": %d, \"bytes\": %d,"
                                    + " \"seconds\": %.4f, \"eventsPerSecond\": %.1f, \"megabytesPerSecond\": %.2f,"
                                    + " \"latencyMs\": {\"p50\": %.3f, \"p99\": %.3f, \"p99.9\": %.3f, \"max\": %.3f},"
                                    + " \"cpuMsPerThousandEvents\": %.2f}",
                            p.system(),
                            p.phase(),
                            p.events(),
                            p.bytes(),
                            p.seconds(),
                            p.eventsPerSecond(),
                            p.megabytesPerSecond(),
                            p.latencyMillis(50),
                            p.latencyMillis(99),
                            p.latencyMillis(99.9),
                            p.maxLatencyMillis(),
                            p.cpuMillisPerThousandEvents()));
        }
        return json.append("\n  ]\n}\n").toString();
    }
}
