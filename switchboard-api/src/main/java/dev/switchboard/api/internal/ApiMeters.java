package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.ShardStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** The API node's meters (names in {@code docs/metrics.md}). */
public final class ApiMeters {
    private final MeterRegistry registry;
    private final Counter eventsIn;
    private final Counter eventsOut;

    public ApiMeters(MeterRegistry registry) {
        this.registry = registry;
        this.eventsIn = events(registry, "in");
        this.eventsOut = events(registry, "out");
    }

    private static Counter events(MeterRegistry registry, String direction) {
        return Counter.builder("switchboard.api.events")
                .description("Events in write calls (in) and read answers (out) this API node answered without error")
                .tag("direction", direction)
                .register(registry);
    }

    void eventsIn(int events) {
        eventsIn.increment(events);
    }

    void eventsOut(int events) {
        eventsOut.increment(events);
    }

    /** The figures of this node's meters the cluster view shows (totals; the dashboard makes rates of them). */
    public Map<String, Object> traffic() {
        Map<String, Object> traffic = new LinkedHashMap<>();
        traffic.put("events-in", (long) eventsIn.count());
        traffic.put("events-out", (long) eventsOut.count());
        double requests = 0;
        double failed = 0;
        for (Counter counter : registry.find("switchboard.requests").counters()) {
            requests += counter.count();
            if (!"ok".equals(counter.getId().getTag("code"))) {
                failed += counter.count();
            }
        }
        traffic.put("requests", (long) requests);
        traffic.put("failed-requests", (long) failed);
        Timer commits =
                registry.find("switchboard.request").tag("call", "commit").timer();
        traffic.put("commits", commits == null ? 0L : commits.count());
        traffic.put("commit-seconds-sum", commits == null ? 0.0 : commits.totalTime(TimeUnit.SECONDS));
        traffic.put("commit-seconds-max", commits == null ? 0.0 : commits.max(TimeUnit.SECONDS));
        return traffic;
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

    /**
     * {@code switchboard_api_refused_total{reason}}: requests the node refused to protect itself,
     * {@code switchboard_api_body_bytes_in_flight}, and {@code switchboard_api_lz4_bodies_total{direction}}.
     */
    public void bindRefusals(ApiCounters counters) {
        refused(counters, "too-large", ApiCounters::bodiesTooLarge);
        refused(counters, "too-large-unauthenticated", ApiCounters::unauthenticatedBodiesTooLarge);
        refused(counters, "busy", ApiCounters::bodiesRefusedBusy);
        refused(counters, "slow", ApiCounters::slowBodiesCutOff);
        refused(counters, "slow-head", ApiCounters::slowHeadsCutOff);
        refused(counters, "principal-calls", ApiCounters::principalCallsRefused);
        refused(counters, "queue-delay", ApiCounters::queueDelayRefused);
        refused(counters, "unreadable", ApiCounters::unreadableBodies);
        Gauge.builder("switchboard.api.body.bytes.in.flight", counters, ApiCounters::bodyBytesInFlight)
                .description("Bytes of request bodies the node holds right now")
                .strongReference(true)
                .register(registry);
        lz4(counters, "request", ApiCounters::lz4Requests);
        lz4(counters, "reply", ApiCounters::lz4Replies);
    }

    private void lz4(ApiCounters counters, String direction, ToDoubleFunction<ApiCounters> count) {
        FunctionCounter.builder("switchboard.api.lz4.bodies", counters, count)
                .description("Thrift calls that arrived (request) and replies sent (reply) LZ4-compressed")
                .tag("direction", direction)
                .register(registry);
    }

    private void refused(ApiCounters counters, String reason, ToDoubleFunction<ApiCounters> count) {
        FunctionCounter.builder("switchboard.api.refused", counters, count)
                .description("Requests the API node refused to protect itself, by reason")
                .tag("reason", reason)
                .register(registry);
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
