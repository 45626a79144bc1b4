package dev.switchboard.api.internal;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.ShardStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The API node's meters (names in {@code docs/metrics.md}). */
public final class ApiMeters {
    private final MeterRegistry registry;

    public ApiMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One call ended with {@code code} ({@code ok} or an error code) after {@code nanos}. */
    void call(String call, String code, long nanos) {
        registry.counter("switchboard.requests", "call", call, "code", code).increment();
        Timer.builder("switchboard.request")
                .description("Calls as the API node answered them, from decoded request to answer")
                .tag("call", call)
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /**
     * {@code switchboard_presence_nodes{shard,state}} and {@code switchboard_shard_connected{shard}} for the shards
     * {@code shards} lists now (a cluster's shards are fixed by its configuration).
     */
    public void bindPresence(Supplier<List<ShardStatus>> shards) {
        for (ShardStatus shard : shards.get()) {
            String name = shard.shard();
            for (NodeState state : NodeState.values()) {
                Gauge.builder("switchboard.presence.nodes", shards, current -> count(current.get(), name, state))
                        .description("Backend nodes heard from through presence, by shard and state")
                        .tag("shard", name)
                        .tag("state", state.name().toLowerCase(Locale.ROOT))
                        .strongReference(true)
                        .register(registry);
            }
            Gauge.builder("switchboard.shard.connected", shards, current -> connected(current.get(), name))
                    .description("1 while this API node is connected to the shard's broker")
                    .tag("shard", name)
                    .strongReference(true)
                    .register(registry);
        }
    }

    private static double count(List<ShardStatus> shards, String shard, NodeState state) {
        return shards.stream()
                .filter(status -> status.shard().equals(shard))
                .flatMap(status -> status.nodes().stream())
                .filter(node -> node.state() == state)
                .count();
    }

    private static double connected(List<ShardStatus> shards, String shard) {
        return shards.stream().anyMatch(status -> status.shard().equals(shard) && status.connected()) ? 1 : 0;
    }
}
