package dev.switchboard.server.bench;

import java.util.Locale;

/**
 * A tail-mode run: the same stream tailed by one subscriber, then by {@code --sessions} of them.
 *
 * @param settings what was run
 * @param one the phase with one subscriber
 * @param many the phase with {@code settings.sessions()} subscribers
 */
public record TailResult(BenchSettings settings, TailPhaseResult one, TailPhaseResult many) implements BenchReport {

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
    public String toJson() {
        return String.format(
                Locale.ROOT,
                "{\n  \"mode\": \"%s\",\n  \"rate\": %d,\n  \"events\": %d,\n  \"size\": %d,\n  \"sessions\": %d,"
                        + "\n  \"batch\": %d,\n  \"warmupEvents\": %d,\n  \"ratio\": %.4f,\n  \"phases\": [\n    %s,\n    %s"
                        + "\n  ]\n}\n",
                settings.mode().label(),
                settings.rate(),
                settings.events(),
                settings.size(),
                settings.sessions(),
                settings.batch(),
                settings.warmupEvents(),
                ratio(),
                one.toJson(),
                many.toJson());
    }
}
