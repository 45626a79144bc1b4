package dev.switchboard.server.roles;

import dev.switchboard.api.ApiOperations;
import dev.switchboard.api.ApiSecurity;
import dev.switchboard.api.ApiServer;
import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.ops.JsonLines;
import dev.switchboard.server.ops.KafkaAuditLog;
import dev.switchboard.server.ops.NodeMetrics;
import dev.switchboard.server.ops.Tracing;
import dev.switchboard.switching.amqp.AmqpSwitch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API node: the API side of the AMQP switch (connected to every shard's broker) and the HTTP server, which
 * takes only bearer tokens of the configured issuer on allocate and request MACs on every later call.
 * Stateless, so closing it only finishes the calls in flight.
 */
public final class ApiRole implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiRole.class);

    private final ApiSettings settings;
    private final AmqpSwitch amqpSwitch;
    private final ApiServer server;
    private final Optional<KafkaAuditLog> audit;
    private final Tracing tracing;

    private ApiRole(
            ApiSettings settings,
            AmqpSwitch amqpSwitch,
            ApiServer server,
            Optional<KafkaAuditLog> audit,
            Tracing tracing) {
        this.tracing = tracing;
        this.settings = settings;
        this.audit = audit;
        this.amqpSwitch = amqpSwitch;
        this.server = server;
    }

    /**
     * Reads its secrets (a bad file is a ConfigException before anything starts), connects to the shards (a shard
     * that is down is retried in the background), listens with tokens and request MACs required, logs "ready".
     */
    public static ApiRole start(ApiSettings settings) {
        ApiSecurity security = settings.security();
        JsonLines.node(settings.nodeId());
        PrometheusMeterRegistry registry = NodeMetrics.create();
        Tracing tracing =
                Tracing.configure(settings.config().find(ConfigKeys.TRACING_OTLP_ENDPOINT), "api", settings.nodeId());
        Optional<KafkaAuditLog> audit = settings.auditBootstrapServers()
                .map(servers -> KafkaAuditLog.start(servers, settings.kafka(), settings.nodeId(), registry));
        AmqpSwitch amqpSwitch;
        try {
            amqpSwitch = AmqpSwitch.create(settings.switchConfig(), Clock.systemUTC(), registry);
        } catch (RuntimeException e) {
            audit.ifPresent(KafkaAuditLog::close);
            tracing.close();
            throw e;
        }
        ApiServer server;
        try {
            server = ApiServer.start(
                    settings.apiConfig(),
                    amqpSwitch,
                    () -> true,
                    security,
                    ApiOperations.of(registry, amqpSwitch::shards, settings.nodeId())
                            .withAudit(audit.<AuditSink>map(log -> log).orElse(AuditSink.NONE))
                            .withTracing(tracing.openTelemetry()));
        } catch (RuntimeException e) {
            amqpSwitch.close();
            audit.ifPresent(KafkaAuditLog::close);
            tracing.close();
            throw e;
        }
        ApiRole role = new ApiRole(settings, amqpSwitch, server, audit, tracing);
        LOGGER.info(
                "ready role=api url={}{} node={} shards={} issuer={} tls={}",
                server.uri(),
                server.tcpUri().map(tcp -> " tcp-url=" + tcp).orElse(""),
                settings.nodeId(),
                String.join(",", settings.shards().keySet()),
                settings.oauth().issuer(),
                security.tls().isPresent());
        return role;
    }

    public URI uri() {
        return server.uri();
    }

    @Override
    public void close() {
        LOGGER.info("stopping role=api node={}", settings.nodeId());
        server.close();
        amqpSwitch.close();
        audit.ifPresent(KafkaAuditLog::close);
        tracing.close();
        LOGGER.info("stopped role=api node={}", settings.nodeId());
    }
}
