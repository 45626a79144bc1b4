package dev.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tail-mode run: the same stream tailed by one subscriber, then by {@code --sessions} of them.
 *
 * @param settings what was run
 * @param one the phase with one subscriber
 * @param many the phase with {@code settings.sessions()} subscribers
 * @param delivery how the subscribers read: {@code stream} (streaming delivery) or {@code poll} (long polls)
 */
public record TailResult(BenchSettings settings, TailPhaseResult one, TailPhaseResult many, String delivery)
        implements BenchReport {

    /**
     * CPU per second with many subscribers over that with one: what fan-out costs (CPU of the process less the JIT
     * compiler's, see {@link TailPhaseResult}).
     */
    public double ratio() {
        return many.cpuMillisPerSecond() / Math.max(1e-9, one.cpuMillisPerSecond());
    }

    /** The last line: {@code ratio=<cpuS/cpu1> sessions=<S> cpu1=<ms/s> cpuS=<ms/s> mode=tail size=<bytes>}. */
    @Override
    public String summaryLine() {
        return String.format(
                Locale.ROOT,
                "ratio=%.2f sessions=%d cpu1=%.0f cpuS=%.0f mode=%s size=%d",
                ratio(),
                settings.sessions(),
                one.cpuMillisPerSecond(),
                many.cpuMillisPerSecond(),
                settings.mode().label(),
                settings.size());
    }

    @Override
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", settings.mode().label());
        json.put("rate", settings.rate());
        json.put("events", settings.events());
        json.put("size", settings.size());
        json.put("sessions", settings.sessions());
        json.put("delivery", delivery);
        json.put("batch", settings.batch());
        json.put("warmupEvents", settings.warmupEvents());
        json.put("ratio", ratio());
        json.put("phases", List.of(one.json(), many.json()));
        return json;
    }
}
