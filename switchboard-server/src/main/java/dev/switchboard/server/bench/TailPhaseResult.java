package dev.switchboard.server.bench;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * One measured phase of tail mode.
 *
 * @param delivery what the subscribers received, over the window from the first hand-over until every subscriber
 *     had every event: distinct events of all subscribers together, send-to-receipt latency per event and
 *     subscriber, and the process CPU time
 * @param subscribers how many subscribers tailed the topic
 * @param written events the writer handed over (each subscriber should receive all of them)
 * @param missing events not received, summed over subscribers; anything but 0 is an error
 * @param subscribersShort subscribers that missed some events
 * @param brokerFetches Fetch requests from consumers the in-process broker served during the window; empty when
 *     the broker is not in this process
 */
public record TailPhaseResult(
        PhaseResult delivery,
        int subscribers,
        long written,
        long missing,
        int subscribersShort,
        OptionalLong brokerFetches) {

    /** The phase's name: {@code tail x<subscribers>}. */
    public String phase() {
        return delivery.phase();
    }

    /** Process CPU milliseconds per second of the window. */
    public double cpuMillisPerSecond() {
        return delivery.cpuNanos() / 1e6 / Math.max(1e-9, delivery.seconds());
    }

    /** One human-readable line. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%-11s %-9s %d events written, %d delivered to %d subscribers (%d missing) in %.2f s:"
                        + " %.0f events/s delivered; latency ms p50=%.2f p99=%.2f p99.9=%.2f max=%.2f;"
                        + " cpu %.0f ms/s, %.1f ms/1000 events; broker fetches %s",
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
                delivery.cpuMillisPerThousandEvents(),
                brokerFetches.isPresent()
                        ? String.format(
                                Locale.ROOT,
                                "%d (%.1f/s)",
                                brokerFetches.getAsLong(),
                                brokerFetches.getAsLong() / Math.max(1e-9, delivery.seconds()))
                        : "n/a");
    }

    /** The phase as a JSON object (see {@link BenchResult#toJson()}). */
    String toJson() {
        return String.format(
                Locale.ROOT,
                "{\"system\": \"%s\", \"phase\": \"%s\", \"subscribers\": %d, \"written\": %d, \"events\": %d,"
                        + " \"missing\": %d, \"bytes\": %d, \"seconds\": %.4f, \"eventsPerSecond\": %.1f,"
                        + " \"latencyMs\": {\"p50\": %.3f, \"p99\": %.3f, \"p99.9\": %.3f, \"max\": %.3f},"
                        + " \"cpuMsPerSecond\": %.2f, \"cpuMsPerThousandEvents\": %.2f, \"brokerFetches\": %s}",
                delivery.system(),
                phase(),
                subscribers,
                written,
                delivery.events(),
                missing,
                delivery.bytes(),
                delivery.seconds(),
                delivery.eventsPerSecond(),
                delivery.latencyMillis(50),
                delivery.latencyMillis(99),
                delivery.latencyMillis(99.9),
                delivery.maxLatencyMillis(),
                cpuMillisPerSecond(),
                delivery.cpuMillisPerThousandEvents(),
                brokerFetches.isPresent() ? Long.toString(brokerFetches.getAsLong()) : "null");
    }
}
