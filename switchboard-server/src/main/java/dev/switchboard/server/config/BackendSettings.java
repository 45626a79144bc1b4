package dev.switchboard.server.config;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.backend.LocalKeyManagementService;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend node starts from, validated: it belongs to one shard, consumes only from that shard's broker,
 * and hosts sessions over Kafka. Every backend of a cluster must read the same cluster secret: cursors are
 * signed with it, and a cursor signed by one node is checked by whichever node takes the session next.
 *
 * @param nodeId the node id, unique within its shard (session ids embed it)
 * @param shard the node's shard
 * @param shardUri the AMQP URI of that shard's broker
 * @param bootstrapServers the Kafka cluster
 * @param clusterSecretFile the file holding the cluster secret (at least {@value #MIN_SECRET_BYTES} bytes)
 * @param autoCreateTopics create unknown topics on allocate instead of answering TOPIC_NOT_FOUND
 * @param kafka Kafka client properties passed through (SSL, SASL, ...)
 * @param encryption encryption at rest (required: there is no way to turn it off); every backend of a cluster
 *     must read the same keystore
 * @param amqpCaFile the PEM certificates an {@code amqps} shard broker is trusted by, instead of the JVM's trust
 *     store
 * @param tailCacheBytes bytes of recent records each tailed topic's shared reader keeps (fan-out); 0 turns
 *     sharing off
 * @param deadLetterTopic where rejected records are copied ({@code {topic}} stands for the read topic)
 */
public record BackendSettings(
        String nodeId,
        String shard,
        URI shardUri,
        String bootstrapServers,
        Path clusterSecretFile,
        boolean autoCreateTopics,
        Map<String, String> kafka,
        NodeConfigFile.Encryption encryption,
        Optional<Path> amqpCaFile,
        long tailCacheBytes,
        String deadLetterTopic) {
    public static final int MIN_SECRET_BYTES = SecretFiles.MIN_SECRET_BYTES;

    public BackendSettings {
        ApiSettings.requireNodeId(nodeId);
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(shardUri, "shardUri");
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigException(
                    "bootstrap-servers: required for a backend (the Kafka cluster, e.g. kafka-1:9092,kafka-2:9092)");
        }
        if (clusterSecretFile == null) {
            throw new ConfigException("cluster-secret-file: required for a backend; every backend of a cluster"
                    + " must share the same file (create one with: head -c 32 /dev/urandom > cluster-secret)");
        }
        kafka = Map.copyOf(kafka);
        requireEncryption(encryption);
        amqpCaFile = amqpCaFile == null ? Optional.empty() : amqpCaFile;
        if (tailCacheBytes < 0) {
            throw new ConfigException("tail-cache-bytes: must not be negative, got " + tailCacheBytes);
        }
        deadLetterTopic = deadLetterTopic == null ? BackendConfig.DEFAULT_DEAD_LETTER_TOPIC : deadLetterTopic;
    }

    /** The settings a file (already overridden by flags) gives, with defaults for what it leaves out. */
    public static BackendSettings from(NodeConfigFile file) {
        Map<String, URI> shards = Shards.parse(file.shards());
        String shard = file.nodeShard();
        if (shard == null) {
            if (shards.size() != 1) {
                throw new ConfigException("node-shard: required when more than one shard is configured (one of "
                        + String.join(", ", shards.keySet()) + ")");
            }
            shard = shards.keySet().iterator().next();
        }
        URI uri = shards.get(shard);
        if (uri == null) {
            throw new ConfigException("node-shard: '" + shard + "' is not one of the configured shards ("
                    + String.join(", ", shards.keySet()) + ")");
        }
        return new BackendSettings(
                file.nodeId() == null ? NodeIds.unique() : file.nodeId(),
                shard,
                uri,
                file.bootstrapServers(),
                file.clusterSecretFile() == null ? null : Path.of(file.clusterSecretFile()),
                Boolean.TRUE.equals(file.autoCreateTopics()),
                file.kafka(),
                file.encryption(),
                Shards.caFile(file.amqpCaFile()),
                file.tailCacheBytes() == null ? BackendConfig.DEFAULT_TAIL_CACHE_BYTES : file.tailCacheBytes(),
                file.deadLetterTopic());
    }

    /** Reads the cluster secret; a missing, unreadable or too short file is a ConfigException. */
    public byte[] readClusterSecret() {
        return SecretFiles.clusterSecret(clusterSecretFile);
    }

    /** The switch of a backend-only process: it connects to its own shard's broker only. */
    public AmqpSwitchConfig switchConfig() {
        return Shards.trusting(AmqpSwitchConfig.of(Map.of(shard, shardUri), nodeId), amqpCaFile)
                .backendOnly();
    }

    /** The node's configuration; reads the keystore password file (a bad one is a ConfigException). */
    public BackendConfig backendConfig() {
        BackendConfig.Builder builder = BackendConfig.builder(nodeId, bootstrapServers)
                .shard(shard)
                .autoCreateTopics(autoCreateTopics)
                .encryption(encryptionConfig())
                .tailCacheBytes(tailCacheBytes)
                .deadLetterTopic(deadLetterTopic);
        kafka.forEach(builder::kafka);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Encryption at rest with the {@code local} key management service. The keystore must exist unless
     * {@code create-keystore} is set: nodes that each created their own would not read each other's records.
     */
    public EncryptionConfig encryptionConfig() {
        Path keystore = Path.of(encryption.keystore());
        boolean create = Boolean.TRUE.equals(encryption.createKeystore());
        if (!create && !Files.exists(keystore)) {
            throw new ConfigException("encryption.keystore: " + keystore + " does not exist (every backend of a"
                    + " cluster must share the same keystore: create it once, e.g. on one node with"
                    + " create-keystore: true, then copy it to the others)");
        }
        String password =
                SecretFiles.text("encryption.keystore-password-file", Path.of(encryption.keystorePasswordFile()));
        if (!create) {
            openKeystore(keystore, password); // a wrong password is a ConfigException before anything starts
        }
        try {
            EncryptionConfig config = EncryptionConfig.local(keystore, password)
                    .withCreateKeystore(create)
                    .withAcceptUnsealed(Boolean.TRUE.equals(encryption.acceptUnsealed()));
            if (encryption.keysTopic() != null) {
                config = config.withKeysTopic(encryption.keysTopic());
            }
            if (encryption.keyMaxAge() != null || encryption.keyMaxRecords() != null) {
                config = config.withKeyRotation(
                        encryption.keyMaxAge() == null ? config.keyMaxAge() : keyMaxAge(encryption.keyMaxAge()),
                        encryption.keyMaxRecords() == null ? config.keyMaxRecords() : encryption.keyMaxRecords());
            }
            return config;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static void openKeystore(Path keystore, String password) {
        try {
            LocalKeyManagementService.open(keystore, password.toCharArray(), false);
        } catch (IOException e) {
            throw new ConfigException("encryption.keystore: " + e.getMessage(), e);
        }
    }

    private static Duration keyMaxAge(String text) {
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    "encryption.key-max-age: must be an ISO-8601 duration such as PT24H or P7D," + " got: " + text);
        }
    }

    private static void requireEncryption(NodeConfigFile.Encryption encryption) {
        if (encryption == null) {
            throw new ConfigException("encryption: required for a backend (encryption at rest), with keystore and"
                    + " keystore-password-file; every backend of a cluster must share the same keystore");
        }
        if (encryption.keystore() == null || encryption.keystore().isBlank()) {
            throw new ConfigException("encryption.keystore: required (a PKCS12 keystore holding the key-encryption"
                    + " key, the same on every backend)");
        }
        if (encryption.keystorePasswordFile() == null
                || encryption.keystorePasswordFile().isBlank()) {
            throw new ConfigException(
                    "encryption.keystore-password-file: required (the file holding the keystore's password)");
        }
    }
}
