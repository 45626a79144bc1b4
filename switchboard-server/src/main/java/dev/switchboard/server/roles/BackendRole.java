package dev.switchboard.server.roles;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.BackendNode;
import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.ops.JsonLines;
import dev.switchboard.server.ops.KafkaAuditLog;
import dev.switchboard.server.ops.MetricsServer;
import dev.switchboard.server.ops.NodeMetrics;
import dev.switchboard.server.ops.Tracing;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.amqp.AmqpSwitch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend node as a process of its own: one {@link BackendNode} attached to its shard's broker through the
 * AMQP switch, encrypting at rest with the cluster's shared keystore.
 *
 * <p>Closing drains in this order: the attachment stops consuming the allocation queue (no new sessions come
 * here, the shard's other nodes take them), the node answers new work on its sessions with DRAINING (the SDK
 * re-allocates elsewhere) while queued work and in-flight commits finish, then the node's queue goes.
 */
public final class BackendRole implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BackendRole.class);
    private static final Duration READY_POLL = Duration.ofMillis(100);
    private static final Duration AUDIT_TOPIC_RETRY = Duration.ofSeconds(5);
    /** The port a backend serves {@code /metrics} and its health checks on unless told otherwise. */
    public static final int DEFAULT_METRICS_PORT = 9464;

    private final BackendSettings settings;
    private final AmqpSwitch amqpSwitch;
    private final BackendNode node;
    private final Switch.Attachment attachment;
    private final MetricsServer metrics;
    private final Optional<KafkaAuditLog> audit;
    private final Tracing tracing;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BackendRole(
            BackendSettings settings,
            AmqpSwitch amqpSwitch,
            BackendNode node,
            Switch.Attachment attachment,
            MetricsServer metrics,
            Optional<KafkaAuditLog> audit,
            Tracing tracing) {
        this.audit = audit;
        this.tracing = tracing;
        this.settings = settings;
        this.amqpSwitch = amqpSwitch;
        this.node = node;
        this.attachment = attachment;
        this.metrics = metrics;
    }

    /**
     * Reads the cluster secret, starts the node and attaches it to the switch. Logs "ready" once the node is
     * connected to its broker and takes sessions (at once, or later when the broker comes up).
     */
    public static BackendRole start(BackendSettings settings) {
        return start(settings, settings.metricsPort());
    }

    /**
     * As {@link #start(BackendSettings)}, serving {@code /metrics}, {@code /health/live} and {@code /health/ready}
     * on {@code metricsPort} (0: a free port, named in the "ready" line).
     */
    public static BackendRole start(BackendSettings settings, int metricsPort) {
        byte[] secret = settings.readClusterSecret();
        BackendConfig config = settings.backendConfig(); // reads the keystore password: fails before connecting
        JsonLines.node(settings.nodeId());
        PrometheusMeterRegistry registry = NodeMetrics.create();
        AmqpSwitch amqpSwitch = AmqpSwitch.create(settings.switchConfig());
        BackendNode node = null;
        MetricsServer metrics = null;
        Optional<KafkaAuditLog> audit = Optional.empty();
        Tracing tracing = Tracing.configure(
                settings.config().find(ConfigKeys.TRACING_OTLP_ENDPOINT), "backend", settings.nodeId());
        try {
            node = BackendNode.start(config, secret, Clock.systemUTC(), registry);
            node.traceWith(tracing.openTelemetry());
            if (settings.audit()) {
                audit = Optional.of(
                        KafkaAuditLog.start(config.bootstrapServers(), config.kafka(), settings.nodeId(), registry));
                node.auditTo(audit.get());
            }
            metrics = MetricsServer.start("0.0.0.0", metricsPort, registry, amqpSwitch::ready);
            Switch.Attachment attachment = amqpSwitch.attach(node);
            BackendRole role = new BackendRole(settings, amqpSwitch, node, attachment, metrics, audit, tracing);
            Thread.ofVirtual().name("backend-ready").start(role::logWhenReady);
            if (audit.isPresent()) {
                // off the start path: the audit topic is not the data path, and Kafka may be slow to answer now
                Thread.ofVirtual().name("audit-topic").start(role::createAuditTopic);
            }
            return role;
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            if (node != null) {
                node.close();
            }
            audit.ifPresent(KafkaAuditLog::close);
            tracing.close();
            amqpSwitch.close();
            throw e;
        }
    }

    /** Creates the audit topic if it is missing, trying again every few seconds until Kafka answers. */
    private void createAuditTopic() {
        for (int attempt = 1; !closed.get(); attempt++) {
            try {
                node.ensureAuditTopic();
                return;
            } catch (RuntimeException e) {
                LOGGER.warn(
                        "audit topic not created yet node={} attempt={} cause={}",
                        settings.nodeId(),
                        attempt,
                        e.toString());
            }
            try {
                Thread.sleep(AUDIT_TOPIC_RETRY);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void logWhenReady() {
        try {
            while (!closed.get() && !amqpSwitch.ready()) {
                Thread.sleep(READY_POLL);
            }
        } catch (InterruptedException e) {
            return;
        }
        if (!closed.get()) {
            LOGGER.info(
                    "ready role=backend node={} shard={} broker={} metrics=http://127.0.0.1:{}/metrics",
                    settings.nodeId(),
                    settings.shard(),
                    settings.shardUri().getHost() + ":" + settings.shardUri().getPort(),
                    metrics.port());
        }
    }

    /** Drains (see the class comment) and stops. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOGGER.info("draining role=backend node={} shard={}", settings.nodeId(), settings.shard());
        attachment.drain();
        node.drain();
        node.close();
        audit.ifPresent(KafkaAuditLog::close);
        tracing.close();
        attachment.close();
        amqpSwitch.close();
        metrics.close();
        LOGGER.info("stopped role=backend node={} shard={}", settings.nodeId(), settings.shard());
    }
}
