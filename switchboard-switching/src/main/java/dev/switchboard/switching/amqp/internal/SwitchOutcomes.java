package dev.switchboard.switching.amqp.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** {@code switchboard_switch_requests_total{shard,outcome}}: how the requests an API node sent to a shard ended. */
final class SwitchOutcomes {
    /** How a request sent over the switch ended. */
    enum Outcome {
        /** The backend answered (whatever the answer says). */
        OK,
        /** The broker returned it: the node's queue is gone, or no node consumes allocations. */
        RETURNED,
        /** No answer by the deadline. */
        TIMEOUT,
        /** Not sent, or lost with the connection: the shard's broker is unreachable. */
        UNREACHABLE,
        /** The node it went to vanished from presence while holding it. */
        NODE_GONE;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

    SwitchOutcomes(MeterRegistry registry, String shard) {
        for (Outcome outcome : Outcome.values()) {
            counters.put(
                    outcome,
                    Counter.builder("switchboard.switch.requests")
                            .description("Requests an API node sent over the switch, by shard and how they ended")
                            .tag("shard", shard)
                            .tag("outcome", outcome.label())
                            .register(registry));
        }
    }

    void count(Outcome outcome) {
        java.util.Objects.requireNonNull(counters.get(outcome)).increment();
    }
}
