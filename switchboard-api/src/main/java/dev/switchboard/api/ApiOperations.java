package dev.switchboard.api;

import dev.switchboard.switching.amqp.ShardStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What an API node tells operators: its meters (served at {@code GET /metrics} when they are a Prometheus registry)
 * and its view of the cluster's shards and backend nodes (presence), for metrics, {@code GET /v1/cluster} and the
 * dashboard.
 */
public final class ApiOperations {
    private final MeterRegistry meters;
    private final Supplier<List<ShardStatus>> shards;
    private final String nodeId;

    private ApiOperations(MeterRegistry meters, Supplier<List<ShardStatus>> shards, String nodeId) {
        this.meters = Objects.requireNonNull(meters, "meters");
        this.shards = Objects.requireNonNull(shards, "shards");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    /** Nothing to tell: meters go nowhere, no {@code /metrics}, no shards. */
    public static ApiOperations none() {
        return new ApiOperations(new CompositeMeterRegistry(), List::of, "api");
    }

    /**
     * Meters in {@code meters} ({@code /metrics} when it is Prometheus's), shards as {@code shards} sees them now,
     * and this API node's id.
     */
    public static ApiOperations of(MeterRegistry meters, Supplier<List<ShardStatus>> shards, String nodeId) {
        return new ApiOperations(meters, shards, nodeId);
    }

    public String nodeId() {
        return nodeId;
    }

    public MeterRegistry meters() {
        return meters;
    }

    /** The Prometheus registry behind {@code GET /metrics}, when the meters are one. */
    public Optional<PrometheusMeterRegistry> prometheus() {
        return meters instanceof PrometheusMeterRegistry prometheus ? Optional.of(prometheus) : Optional.empty();
    }

    public Supplier<List<ShardStatus>> shards() {
        return shards;
    }
}
