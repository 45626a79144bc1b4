package dev.switchboard.api;

import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.switching.amqp.ShardStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
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
    private final AuditSink audit;
    private final OpenTelemetry openTelemetry;

    private ApiOperations(
            MeterRegistry meters,
            Supplier<List<ShardStatus>> shards,
            String nodeId,
            AuditSink audit,
            OpenTelemetry openTelemetry) {
        this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.shards = Objects.requireNonNull(shards, "shards");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /** Nothing to tell: meters go nowhere, no {@code /metrics}, no shards. */
    public static ApiOperations none() {
        return new ApiOperations(new CompositeMeterRegistry(), List::of, "api", AuditSink.NONE, OpenTelemetry.noop());
    }

    /**
     * Meters in {@code meters} ({@code /metrics} when it is Prometheus's), shards as {@code shards} sees them now,
     * and this API node's id.
     */
    public static ApiOperations of(MeterRegistry meters, Supplier<List<ShardStatus>> shards, String nodeId) {
        return new ApiOperations(meters, shards, nodeId, AuditSink.NONE, OpenTelemetry.noop());
    }

    /** The same, handing the node's access events (allocate, dispose, refusals, admin calls) to {@code audit}. */
    public ApiOperations withAudit(AuditSink audit) {
        return new ApiOperations(meters, shards, nodeId, audit, openTelemetry);
    }

    /**
     * The same, making a span per call with {@code openTelemetry}'s tracer (without it, the no-op API: no spans,
     * though a request's {@code traceparent} still travels to the backend and into Kafka).
     */
    public ApiOperations withTracing(OpenTelemetry openTelemetry) {
        return new ApiOperations(meters, shards, nodeId, audit, openTelemetry);
    }

    /** The tracer of the node's spans. */
    public Tracer tracer() {
        return openTelemetry.getTracer("dev.switchboard.api");
    }

    /** Where the node's audit events go ({@link AuditSink#NONE} unless {@link #withAudit} said otherwise). */
    public AuditSink audit() {
        return audit;
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
