package dev.switchboard.server.config;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.backend.LocalKeyManagementService;
import dev.switchboard.backend.NodeLimits;
import dev.switchboard.backend.SessionLimits;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A backend node's view of the {@link NodeConfig}: the rules between keys checked (once, in {@link #from}), and
 * the module configurations built from it. It belongs to one shard, consumes only from that shard's broker, and
 * hosts sessions over Kafka. Every backend of a cluster must read the same cluster secret (cursors are signed
 * with it, and a cursor signed by one node is checked by whichever node takes the session next) and the same
 * keystore.
 */
public final class BackendSettings {
    public static final int MIN_SECRET_BYTES = SecretFiles.MIN_SECRET_BYTES;

    private final NodeConfig config;
    private final String nodeId;
    private final String shard;
    private final URI shardUri;
    private final Optional<Path> amqpCaFile;

    private BackendSettings(NodeConfig config, String nodeId, String shard, URI shardUri, Optional<Path> amqpCaFile) {
        this.config = config;
        this.nodeId = nodeId;
        this.shard = shard;
        this.shardUri = shardUri;
        this.amqpCaFile = amqpCaFile;
    }

    /** Checks what a backend needs; a missing or inconsistent key is a ConfigException naming it. */
    public static BackendSettings from(NodeConfig config) {
        Map<String, URI> shards = Shards.parse(config.find(ConfigKeys.SHARDS).orElse(Map.of()));
        Optional<String> named = config.find(ConfigKeys.NODE_SHARD);
        if (named.isEmpty() && shards.size() != 1) {
            throw new ConfigException("node-shard: required when more than one shard is configured (one of "
                    + String.join(", ", shards.keySet()) + ")");
        }
        String shard = named.orElseGet(() -> shards.keySet().iterator().next());
        URI uri = shards.get(shard);
        if (uri == null) {
            throw new ConfigException("node-shard: '" + shard + "' is not one of the configured shards ("
                    + String.join(", ", shards.keySet()) + ")");
        }
        if (config.find(ConfigKeys.BOOTSTRAP_SERVERS).isEmpty()) {
            throw new ConfigException(
                    "bootstrap-servers: required for a backend (the Kafka cluster, e.g. kafka-1:9092,kafka-2:9092)");
        }
        if (config.find(ConfigKeys.CLUSTER_SECRET_FILE).isEmpty()) {
            throw new ConfigException("cluster-secret-file: required for a backend; every backend of a cluster"
                    + " must share the same file (create one with: head -c 32 /dev/urandom > cluster-secret)");
        }
        requireEncryption(config);
        limits(config);
        Optional<Path> amqpCaFile = Shards.caFile(config.find(ConfigKeys.AMQP_CA_FILE));
        return new BackendSettings(
                config, config.find(ConfigKeys.NODE_ID).orElseGet(NodeIds::unique), shard, uri, amqpCaFile);
    }

    /** What each session may do, from the {@code limits.*} keys (a backend node, standalone). */
    public static SessionLimits limits(NodeConfig config) {
        try {
            return new SessionLimits(
                    config.get(ConfigKeys.LIMITS_MAX_EVENTS_PER_READ),
                    config.get(ConfigKeys.LIMITS_MAX_BYTES_PER_READ),
                    config.get(ConfigKeys.LIMITS_WRITE_WINDOW),
                    config.get(ConfigKeys.LIMITS_MAX_EVENTS_PER_CHUNK),
                    config.get(ConfigKeys.LIMITS_MAX_BYTES_PER_CHUNK),
                    config.get(ConfigKeys.LIMITS_MAX_EVENT_BYTES),
                    config.get(ConfigKeys.LIMITS_SESSION_TTL),
                    config.get(ConfigKeys.LIMITS_MAX_WAIT),
                    config.get(ConfigKeys.LIMITS_PREFETCH_EVENTS),
                    config.get(ConfigKeys.LIMITS_PREFETCH_BYTES),
                    config.get(ConfigKeys.LIMITS_DRAIN_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("limits." + e.getMessage(), e);
        }
    }

    /** What the node holds for all clients together, from the {@code limits.*} keys (a backend, standalone). */
    public static NodeLimits nodeLimits(NodeConfig config) {
        try {
            long maxStagedBytes = config.get(ConfigKeys.LIMITS_MAX_STAGED_BYTES);
            long stagedPerPrincipal = config.get(ConfigKeys.LIMITS_MAX_STAGED_BYTES_PER_PRINCIPAL);
            long maxPrefetchBytes = config.get(ConfigKeys.LIMITS_MAX_PREFETCH_BYTES);
            long prefetchPerPrincipal = config.get(ConfigKeys.LIMITS_MAX_PREFETCH_BYTES_PER_PRINCIPAL);
            return new NodeLimits(
                    config.get(ConfigKeys.LIMITS_MAX_SESSIONS),
                    config.get(ConfigKeys.LIMITS_MAX_SESSIONS_PER_PRINCIPAL),
                    maxStagedBytes,
                    maxPrefetchBytes,
                    config.get(ConfigKeys.LIMITS_MAX_REQUESTS_PER_PRINCIPAL),
                    config.get(ConfigKeys.LIMITS_MAX_QUEUE_DELAY),
                    stagedPerPrincipal == 0 ? NodeLimits.defaultShare(maxStagedBytes) : stagedPerPrincipal,
                    prefetchPerPrincipal == 0 ? NodeLimits.defaultShare(maxPrefetchBytes) : prefetchPerPrincipal);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("limits." + e.getMessage(), e);
        }
    }

    public NodeConfig config() {
        return config;
    }

    public String nodeId() {
        return nodeId;
    }

    public String shard() {
        return shard;
    }

    /** The AMQP URI of this node's shard's broker. */
    public URI shardUri() {
        return shardUri;
    }

    public String bootstrapServers() {
        return config.get(ConfigKeys.BOOTSTRAP_SERVERS);
    }

    /** Whether the node writes its audit events (session expiries) to {@code __switchboard_audit}. */
    public boolean audit() {
        return config.get(ConfigKeys.AUDIT);
    }

    public Path clusterSecretFile() {
        return config.get(ConfigKeys.CLUSTER_SECRET_FILE);
    }

    /** The port of /metrics and the health checks (0: a free one). */
    public int metricsPort() {
        return config.get(ConfigKeys.METRICS_PORT);
    }

    public long tailCacheBytes() {
        return config.get(ConfigKeys.TAIL_CACHE_BYTES);
    }

    public Optional<Path> amqpCaFile() {
        return amqpCaFile;
    }

    /** Reads the cluster secret; a missing, unreadable or too short file is a ConfigException. */
    public byte[] readClusterSecret() {
        return SecretFiles.clusterSecret(clusterSecretFile());
    }

    /** The switch of a backend-only process: it connects to its own shard's broker only. */
    public AmqpSwitchConfig switchConfig() {
        return Shards.trusting(AmqpSwitchConfig.of(Map.of(shard, shardUri), nodeId), amqpCaFile)
                .backendOnly();
    }

    /** The node's configuration; reads the keystore password file (a bad one is a ConfigException). */
    public BackendConfig backendConfig() {
        BackendConfig.Builder builder = BackendConfig.builder(nodeId, bootstrapServers())
                .shard(shard)
                .autoCreateTopics(config.get(ConfigKeys.AUTO_CREATE_TOPICS))
                .defaultPartitions(config.get(ConfigKeys.DEFAULT_PARTITIONS))
                .replicationFactor(config.get(ConfigKeys.REPLICATION_FACTOR))
                .minInsyncReplicas(config.get(ConfigKeys.MIN_INSYNC_REPLICAS))
                .limits(limits(config))
                .nodeLimits(nodeLimits(config))
                .encryption(encryptionConfig())
                .tailCacheBytes(tailCacheBytes())
                .deadLetterTopic(config.get(ConfigKeys.DEAD_LETTER_TOPIC))
                .dataDir(config.get(ConfigKeys.DATA_DIR).toAbsolutePath())
                .maxTransactionalProducers(config.get(ConfigKeys.MAX_TRANSACTIONAL_PRODUCERS));
        config.find(ConfigKeys.KAFKA).orElse(Map.of()).forEach(builder::kafka);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw ConfigException.refused(e);
        }
    }

    /**
     * Encryption at rest with the {@code local} key management service. The keystore must exist unless
     * {@code create-keystore} is set: nodes that each created their own would not read each other's records.
     */
    public EncryptionConfig encryptionConfig() {
        Path keystore = config.get(ConfigKeys.ENCRYPTION_KEYSTORE);
        boolean create = config.get(ConfigKeys.ENCRYPTION_CREATE_KEYSTORE);
        if (!create && !Files.exists(keystore)) {
            throw new ConfigException("encryption.keystore: " + keystore + " does not exist (every backend of a"
                    + " cluster must share the same keystore: create it once, e.g. on one node with"
                    + " create-keystore: true, then copy it to the others)");
        }
        String password = SecretFiles.text(
                "encryption.keystore-password-file", config.get(ConfigKeys.ENCRYPTION_KEYSTORE_PASSWORD_FILE));
        if (!create) {
            openKeystore(keystore, password); // a wrong password is a ConfigException before anything starts
        }
        try {
            return EncryptionConfig.local(keystore, password)
                    .withCreateKeystore(create)
                    .withAcceptUnsealed(config.get(ConfigKeys.ENCRYPTION_ACCEPT_UNSEALED))
                    .withCompress(config.get(ConfigKeys.ENCRYPTION_COMPRESS))
                    .withKeysTopic(config.get(ConfigKeys.ENCRYPTION_KEYS_TOPIC))
                    .withKeyRotation(
                            config.get(ConfigKeys.ENCRYPTION_KEY_MAX_AGE),
                            config.get(ConfigKeys.ENCRYPTION_KEY_MAX_RECORDS));
        } catch (IllegalArgumentException e) {
            throw ConfigException.refused(e);
        }
    }

    private static void openKeystore(Path keystore, String password) {
        try {
            LocalKeyManagementService.open(keystore, password.toCharArray(), false);
        } catch (IOException e) {
            throw new ConfigException("encryption.keystore: " + e.getMessage(), e);
        }
    }

    private static void requireEncryption(NodeConfig config) {
        if (!config.hasSection("encryption")) {
            throw new ConfigException("encryption: required for a backend (encryption at rest), with keystore and"
                    + " keystore-password-file; every backend of a cluster must share the same keystore");
        }
        if (config.find(ConfigKeys.ENCRYPTION_KEYSTORE).isEmpty()) {
            throw new ConfigException("encryption.keystore: required (a PKCS12 keystore holding the key-encryption"
                    + " key, the same on every backend)");
        }
        if (config.find(ConfigKeys.ENCRYPTION_KEYSTORE_PASSWORD_FILE).isEmpty()) {
            throw new ConfigException(
                    "encryption.keystore-password-file: required (the file holding the keystore's password)");
        }
    }
}
