package dev.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One measured phase of tail mode.
 *
 * <p>Its CPU figures leave out the JIT compiler's threads when their share is known ({@link JitCpu}): compiling
 * is warm-up, not what tailing costs, and it varies a lot between runs (a third of the process CPU or more of a
 * one-subscriber phase that follows a short warm-up). The share is shown next to them.
 *
 * @param delivery what the subscribers received, over the window from the first hand-over until every subscriber
 *     had every event: distinct events of all subscribers together, send-to-receipt latency per event and
 *     subscriber, and the process CPU time
 * @param subscribers how many subscribers tailed the topic
 * @param written events the writer handed over (each subscriber should receive all of them)
 * @param missing events not received, summed over subscribers; anything but 0 is an error
 * @param subscribersShort subscribers that missed some events
 * @param jitCpuNanos CPU time of the JIT compiler threads during the window, part of the process CPU; empty where
 *     it cannot be read
 * @param brokerFetches Fetch requests from consumers the in-process broker served during the window; empty when
 *     the broker is not in this process
 */
public record TailPhaseResult(
        PhaseResult delivery,
        int subscribers,
        long written,
        long missing,
        int subscribersShort,
        OptionalLong jitCpuNanos,
        OptionalLong brokerFetches) {

    /** The phase's name: {@code tail x<subscribers>}. */
    public String phase() {
        return delivery.phase();
    }

    /** CPU milliseconds per second of the window: the process's, less the JIT compiler's when known. */
    public double cpuMillisPerSecond() {
        return perSecond(cpuNanos());
    }

    /** CPU milliseconds (the process's, less the JIT compiler's when known) per thousand delivered events. */
    public double cpuMillisPerThousandEvents() {
        return cpuNanos() / 1e6 / Math.max(1, delivery.events()) * 1000;
    }

    /** The whole process's CPU milliseconds per second of the window, JIT compiler included. */
    public double processCpuMillisPerSecond() {
        return perSecond(delivery.cpuNanos());
    }

    /** The JIT compiler threads' CPU milliseconds per second of the window; -1 when unknown. */
    public double jitMillisPerSecond() {
        return jitCpuNanos.isPresent() ? perSecond(jitCpuNanos.getAsLong()) : -1;
    }

    private long cpuNanos() {
        return delivery.cpuNanos() - jitCpuNanos.orElse(0);
    }

    private double perSecond(long nanos) {
        return nanos / 1e6 / Math.max(1e-9, delivery.seconds());
    }

    /** One human-readable line. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%-11s %-9s %d events written, %d delivered to %d subscribers (%d missing) in %.2f s:"
                        + " %.0f events/s delivered; latency ms p50=%.2f p99=%.2f p99.9=%.2f max=%.2f;"
                        + " cpu %.0f ms/s (+ JIT compiler %s), %.1f ms/1000 events; broker fetches %s",
                delivery.system(),
                phase(),
                written,
                delivery.events(),
                subscribers,
                missing,
                delivery.seconds(),
                delivery.eventsPerSecond(),
                delivery.latencyMillis(50),
                delivery.latencyMillis(99),
                delivery.latencyMillis(99.9),
                delivery.maxLatencyMillis(),
                cpuMillisPerSecond(),
                jitCpuNanos.isPresent() ? String.format(Locale.ROOT, "%.0f", jitMillisPerSecond()) : "n/a",
                cpuMillisPerThousandEvents(),
                brokerFetches.isPresent()
                        ? String.format(
                                Locale.ROOT,
                                "%d (%.1f/s)",
                                brokerFetches.getAsLong(),
                                brokerFetches.getAsLong() / Math.max(1e-9, delivery.seconds()))
                        : "n/a");
    }

    /** The phase as a JSON object (see {@link TailResult#json()}). */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("system", delivery.system());
        json.put("phase", phase());
        json.put("subscribers", subscribers);
        json.put("written", written);
        json.put("events", delivery.events());
        json.put("missing", missing);
        json.put("bytes", delivery.bytes());
        json.put("seconds", delivery.seconds());
        json.put("eventsPerSecond", delivery.eventsPerSecond());
        json.put("latencyMs", delivery.latencyJson());
        json.put("cpuMsPerSecond", cpuMillisPerSecond());
        json.put("cpuMsPerThousandEvents", cpuMillisPerThousandEvents());
        json.put("processCpuMsPerSecond", processCpuMillisPerSecond());
        json.put("jitCpuMsPerSecond", jitCpuNanos.isPresent() ? jitMillisPerSecond() : null);
        json.put("brokerFetches", brokerFetches.isPresent() ? brokerFetches.getAsLong() : null);
        return json;
    }
}
