package dev.switchboard.server.config;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

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
 */
public record BackendSettings(
        String nodeId,
        String shard,
        URI shardUri,
        String bootstrapServers,
        Path clusterSecretFile,
        boolean autoCreateTopics,
        Map<String, String> kafka) {
    public static final int MIN_SECRET_BYTES = 16;

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
                file.kafka());
    }

    /** Reads the cluster secret; a missing, unreadable or too short file is a ConfigException. */
    public byte[] readClusterSecret() {
        byte[] secret;
        try {
            secret = Files.readAllBytes(clusterSecretFile);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cluster-secret-file: " + clusterSecretFile + " does not exist (every backend"
                    + " of a cluster must share the same file; create one with: head -c 32 /dev/urandom > FILE)");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cluster-secret-file: " + clusterSecretFile + " is not readable by this user");
        } catch (IOException e) {
            throw new ConfigException("cluster-secret-file: " + clusterSecretFile + " cannot be read: " + e, e);
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new ConfigException("cluster-secret-file: " + clusterSecretFile + " holds " + secret.length
                    + " bytes, at least " + MIN_SECRET_BYTES + " are needed");
        }
        return secret;
    }

    /** The switch of a backend-only process: it connects to its own shard's broker only. */
    public AmqpSwitchConfig switchConfig() {
        return AmqpSwitchConfig.of(Map.of(shard, shardUri), nodeId).backendOnly();
    }

    public BackendConfig backendConfig() {
        BackendConfig.Builder builder =
                BackendConfig.builder(nodeId, bootstrapServers).shard(shard).autoCreateTopics(autoCreateTopics);
        kafka.forEach(builder::kafka);
        return builder.build();
    }
}
