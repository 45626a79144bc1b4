package dev.switchboard.server.standalone;

import dev.switchboard.api.ApiConfig;
import dev.switchboard.api.ApiCounters;
import dev.switchboard.api.ApiOperations;
import dev.switchboard.api.ApiSecurity;
import dev.switchboard.api.ApiServer;
import dev.switchboard.api.SelfSignedTls;
import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.BackendNode;
import dev.switchboard.backend.SessionLimits;
import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.kafka.embedded.EmbeddedKafka;
import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.ops.JsonLines;
import dev.switchboard.server.ops.KafkaAuditLog;
import dev.switchboard.server.ops.NodeMetrics;
import dev.switchboard.server.ops.Tracing;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.NodeStatus;
import dev.switchboard.switching.amqp.ShardStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode: an embedded single-node KRaft Kafka broker with its data under the data dir, one backend
 * node, the in-process switch and one API node, in one JVM. Closing it drains the backend first, so commits in
 * flight finish before Kafka stops.
 *
 * <p>Data dir layout: {@code kafka/} (the broker's log dirs), {@code cluster-secret} (keys cursor tags),
 * {@code keys/} (the keystore holding the key-encryption key of encryption at rest, and its password; see
 * {@link StandaloneKeys}), {@code dev-issuer/} (the development token issuer's signing key) and {@code dev-token}
 * (a token granting every topic, rewritten on each start; see {@link DevIssuer}), {@code .lock} (one standalone
 * per data dir).
 *
 * <p>Secure by default: the API node takes only tokens of the development issuer, and request MACs keyed by the
 * cluster secret; the backend encrypts at rest.
 */
public final class Standalone implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Standalone.class);
    private static final String NODE_ID = "n1";

    private final FileChannel lockChannel;
    private final EmbeddedKafka kafka;
    private final Switch localSwitch;
    private final BackendNode backend;
    private final Switch.Attachment attachment;
    private final ApiServer api;
    private final Path dataDir;
    private final AutoCloseable audit;
    private final Tracing tracing;

    private Standalone(
            FileChannel lockChannel,
            EmbeddedKafka kafka,
            Switch localSwitch,
            BackendNode backend,
            Switch.Attachment attachment,
            ApiServer api,
            Path dataDir,
            AutoCloseable audit,
            Tracing tracing) {
        this.audit = audit;
        this.tracing = tracing;
        this.lockChannel = lockChannel;
        this.kafka = kafka;
        this.localSwitch = localSwitch;
        this.backend = backend;
        this.attachment = attachment;
        this.api = api;
        this.dataDir = dataDir;
    }

    /** Starts every part and returns once the API serves plain HTTP; logs "ready". */
    public static Standalone start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, false);
    }

    /**
     * Starts every part and returns once the API serves; logs "ready". With {@code selfSignedTls}, the API serves
     * HTTPS with a self-signed certificate kept in {@code <data-dir>/tls} (see {@link SelfSignedTls}).
     */
    public static Standalone start(Path dataDir, int port, boolean selfSignedTls) throws IOException {
        return start(dataDir, port, selfSignedTls, BackendConfig.DEFAULT_TAIL_CACHE_BYTES);
    }

    /**
     * As {@link #start(Path, int, boolean)}, with the backend's {@code tail-cache-bytes} (fan-out: bytes of recent
     * records shared by the sessions tailing a topic; 0 turns sharing off), e.g. for the bench to compare both.
     */
    public static Standalone start(Path dataDir, int port, boolean selfSignedTls, long tailCacheBytes)
            throws IOException {
        return start(NodeConfig.builder()
                .value(ConfigKeys.DATA_DIR, dataDir, "caller")
                .value(ConfigKeys.PORT, port, "caller")
                .value(ConfigKeys.TLS_SELF_SIGNED, selfSignedTls, "caller")
                .value(ConfigKeys.TAIL_CACHE_BYTES, tailCacheBytes, "caller")
                .build());
    }

    /**
     * Starts every part from the keys of the configuration model that role {@code standalone} reads ({@code
     * data-dir}, {@code host}, {@code port}, {@code tls-self-signed}, {@code tail-cache-bytes}, {@code limits.*},
     * ...; see docs/configuration.md) and returns once the API serves; logs "ready".
     */
    public static Standalone start(NodeConfig config) throws IOException {
        Tracing tracing = Tracing.configure(config.find(ConfigKeys.TRACING_OTLP_ENDPOINT), "standalone", NODE_ID);
        try {
            return start(config, tracing);
        } catch (IOException | RuntimeException e) {
            tracing.close();
            throw e;
        }
    }

    /** As {@link #start(NodeConfig)}, making spans with {@code tracing} (closed when the standalone stops). */
    public static Standalone start(NodeConfig config, Tracing tracing) throws IOException {
        Path dataDir = config.get(ConfigKeys.DATA_DIR);
        boolean selfSignedTls = config.get(ConfigKeys.TLS_SELF_SIGNED);
        ApiConfig apiConfig = ApiSettings.apiConfig(config);
        SessionLimits limits = BackendSettings.limits(config);
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        FileChannel lockChannel = lock(dir);
        EmbeddedKafka kafka = null;
        BackendNode backend = null;
        KafkaAuditLog audit = null;
        LocalSwitch localSwitch = new LocalSwitch();
        PrometheusMeterRegistry registry = NodeMetrics.create();
        JsonLines.node("standalone");
        try {
            byte[] secret = ClusterSecret.loadOrCreate(dir.resolve("cluster-secret"));
            kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
            backend = BackendNode.start(
                    BackendConfig.builder(NODE_ID, kafka.bootstrapServers())
                            .autoCreateTopics(true)
                            .replicationFactor(1) // one embedded broker
                            .minInsyncReplicas(1)
                            .encryption(StandaloneKeys.encryption(dir)
                                    .withCompress(config.get(ConfigKeys.ENCRYPTION_COMPRESS)))
                            .tailCacheBytes(config.get(ConfigKeys.TAIL_CACHE_BYTES))
                            .limits(limits)
                            .dataDir(dir.resolve("backend"))
                            .nodeLimits(BackendSettings.nodeLimits(config))
                            .build(),
                    secret,
                    Clock.systemUTC(),
                    registry);
            backend.traceWith(tracing.openTelemetry());
            AuditSink auditSink = AuditSink.NONE;
            if (config.get(ConfigKeys.AUDIT)) {
                backend.ensureAuditTopic();
                audit = KafkaAuditLog.start(kafka.bootstrapServers(), Map.of(), "standalone", registry);
                backend.auditTo(audit);
                auditSink = audit;
            }
            Switch.Attachment attachment = localSwitch.attach(backend);
            DevIssuer issuer = DevIssuer.loadOrCreate(dir);
            issuer.writeDevToken(dir);
            ApiSecurity security = ApiSecurity.of(issuer.oauthConfig(), secret);
            if (selfSignedTls) {
                security = security.withTls(SelfSignedTls.loadOrCreate(dir.resolve("tls")));
            }
            BackendNode node = backend;
            ApiServer api = ApiServer.start(
                    apiConfig,
                    localSwitch,
                    () -> true,
                    security,
                    ApiOperations.of(registry, () -> shards(node), "standalone")
                            .withAudit(auditSink)
                            .withTracing(tracing.openTelemetry()));
            Standalone standalone = new Standalone(
                    lockChannel,
                    kafka,
                    localSwitch,
                    backend,
                    attachment,
                    api,
                    dir,
                    audit == null ? () -> {} : audit,
                    tracing);
            LOGGER.info(
                    "ready url={}{} data-dir={}",
                    api.uri(),
                    api.tcpUri().map(tcp -> " tcp-url=" + tcp).orElse(""),
                    dir);
            return standalone;
        } catch (IOException | RuntimeException e) {
            closeQuietly(backend);
            closeQuietly(audit);
            closeQuietly(kafka);
            localSwitch.close();
            lockChannel.close();
            throw e;
        }
    }

    /** What the API node refused to protect itself (for metrics and the hostile-client suite). */
    public ApiCounters apiCounters() {
        return api.counters();
    }

    /** What the backend node refused, and what it holds (for metrics and the hostile-client suite). */
    public BackendCounters backendCounters() {
        return backend.counters();
    }

    public URI uri() {
        return api.uri();
    }

    /** The binary TCP port's URI ({@code sb://}, {@code sbs://} with TLS), when {@code tcp-port} is set. */
    public java.util.Optional<URI> tcpUri() {
        return api.tcpUri();
    }

    /** The embedded Kafka broker's {@code bootstrap.servers}, for tools that compare against raw Kafka. */
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The embedded broker itself, for tests that stop it to see the node ride out a Kafka outage. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** Drains and stops: no new sessions, in-flight commits finish, then Kafka stops. */
    @Override
    public void close() {
        LOGGER.info("stopping: draining the backend node");
        attachment.drain();
        backend.drain();
        closeQuietly(api);
        closeQuietly(backend);
        closeQuietly(audit);
        closeQuietly(tracing);
        attachment.close();
        localSwitch.close();
        closeQuietly(kafka);
        closeQuietly(lockChannel);
        LOGGER.info("stopped");
    }

    /** The one shard of standalone as presence would show it: the in-process node, always connected. */
    private static List<ShardStatus> shards(BackendNode node) {
        NodeStatus status = new NodeStatus(
                node.shard(),
                node.nodeId(),
                node.draining() ? NodeState.DRAINING : NodeState.SERVING,
                node.sessionCount(),
                0,
                version(),
                Instant.now(),
                node.kafkaReachable());
        return List.of(new ShardStatus(node.shard(), true, List.of(status)));
    }

    private static String version() {
        String version = Standalone.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    private static FileChannel lock(Path dir) throws IOException {
        FileChannel channel =
                FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this very JVM
        }
        if (lock == null) {
            channel.close();
            throw new IOException("data dir " + dir + " is in use by another switchboard process");
        }
        return channel;
    }

    private static void closeQuietly(@Nullable AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOGGER.warn("error while stopping {}", closeable.getClass().getSimpleName(), e);
        }
    }
}
