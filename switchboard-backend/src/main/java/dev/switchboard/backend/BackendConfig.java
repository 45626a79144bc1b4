package dev.switchboard.backend;

import dev.switchboard.core.session.SessionId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Configuration of one backend node, validated on construction with messages naming the kebab-case key.
 * Missing object values take their defaults ({@code shard} "s0", no extra Kafka properties, default limits).
 *
 * @param shard the shard this node belongs to ({@code shard}, default "s0")
 * @param nodeId the node's id, unique within its shard; session ids embed it ({@code node-id})
 * @param bootstrapServers the Kafka cluster ({@code bootstrap-servers})
 * @param kafka extra Kafka client properties passed through to every client, e.g. SSL/SASL ({@code kafka})
 * @param limits what each session may do ({@code limits})
 * @param autoCreateTopics create unknown topics on allocate instead of answering TOPIC_NOT_FOUND
 *     ({@code auto-create-topics})
 * @param defaultPartitions partitions of an auto-created topic ({@code default-partitions}, default 3)
 * @param replicationFactor replicas per partition of every topic Switchboard creates: data topics, dead-letter
 *     topics and internal topics ({@code replication-factor}; default {@value #AUTO}: min(3, brokers), the brokers
 *     counted when the node starts)
 * @param encryption encryption at rest ({@code encryption}, default off; see {@link EncryptionConfig})
 * @param tailCacheBytes fan-out: bytes of recent records each topic's shared tail reader keeps for the read
 *     sessions tailing it ({@code tail-cache-bytes}, default 8 MiB; 0 turns sharing off, so every reader reads
 *     Kafka on its own)
 * @param deadLetterTopic where records readers are not given (no valid envelope while encryption is on) are
 *     copied: a topic name in which {@code {topic}} stands for the record's topic ({@code dead-letter-topic},
 *     default {@value #DEFAULT_DEAD_LETTER_TOPIC}); created when missing
 * @param dataDir the node's own directory ({@code data-dir}): a draining node writes what Kafka has not
 *     acknowledged by its drain deadline to {@code <data-dir>/spill/} and re-injects it when it starts again,
 *     before it takes sessions. Empty: nothing is spilled (such commits answer UNAVAILABLE and the client resends)
 * @param nodeLimits what the node holds for all clients together: sessions, sessions per principal, staged
 *     bytes ({@code node-limits}; see {@link NodeLimits})
 * @param minInsyncReplicas {@code min.insync.replicas} of every topic Switchboard creates: replicas that must have
 *     a record before Kafka acknowledges it ({@code min-insync-replicas}; default {@value #AUTO}: one less than the
 *     replication factor, at least 1)
 * @param maxTransactionalProducers the most exactly-once writers this node hosts at once, each with a
 *     transactional producer of its own ({@code max-transactional-producers}, default 64); past it an
 *     exactly-once allocate answers BUSY
 */
public record BackendConfig(
        String shard,
        String nodeId,
        String bootstrapServers,
        Map<String, String> kafka,
        SessionLimits limits,
        boolean autoCreateTopics,
        int defaultPartitions,
        int replicationFactor,
        EncryptionConfig encryption,
        long tailCacheBytes,
        String deadLetterTopic,
        Optional<Path> dataDir,
        NodeLimits nodeLimits,
        int minInsyncReplicas,
        int maxTransactionalProducers) {

    /** Without node limits: the defaults. */
    public BackendConfig(
            String shard,
            String nodeId,
            String bootstrapServers,
            Map<String, String> kafka,
            SessionLimits limits,
            boolean autoCreateTopics,
            int defaultPartitions,
            int replicationFactor,
            EncryptionConfig encryption,
            long tailCacheBytes,
            String deadLetterTopic,
            Optional<Path> dataDir) {
        this(
                shard,
                nodeId,
                bootstrapServers,
                kafka,
                limits,
                autoCreateTopics,
                defaultPartitions,
                replicationFactor,
                encryption,
                tailCacheBytes,
                deadLetterTopic,
                dataDir,
                NodeLimits.defaults(),
                AUTO,
                DEFAULT_MAX_TRANSACTIONAL_PRODUCERS);
    }

    public static final String DEFAULT_SHARD = "s0";
    public static final long DEFAULT_TAIL_CACHE_BYTES = 8L << 20;
    public static final int DEFAULT_PARTITIONS = 3;
    /** A replication setting worked out from the cluster: see {@code replication-factor}. */
    public static final int AUTO = 0;

    public static final String DEFAULT_DEAD_LETTER_TOPIC = "{topic}.sb-dlq";
    public static final int DEFAULT_MAX_TRANSACTIONAL_PRODUCERS = 64;

    public BackendConfig {
        shard = shard == null ? DEFAULT_SHARD : shard;
        if (!SessionId.isValidPart(shard)) {
            throw new IllegalArgumentException("shard must be 1-64 characters of [A-Za-z0-9_-], got: " + shard);
        }
        if (!SessionId.isValidPart(nodeId)) {
            throw new IllegalArgumentException("node-id must be 1-64 characters of [A-Za-z0-9_-], got: " + nodeId);
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap-servers is required");
        }
        kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
        limits = limits == null ? SessionLimits.defaults() : limits;
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("default-partitions must be at least 1, got " + defaultPartitions);
        }
        if (replicationFactor < AUTO || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replication-factor must be between 1 and " + Short.MAX_VALUE
                    + " (or 0: min(3, brokers)), got " + replicationFactor);
        }
        if (minInsyncReplicas < AUTO || (replicationFactor != AUTO && minInsyncReplicas > replicationFactor)) {
            throw new IllegalArgumentException("min-insync-replicas must be between 1 and replication-factor"
                    + " (or 0: one less than it), got " + minInsyncReplicas);
        }
        encryption = encryption == null ? EncryptionConfig.disabled() : encryption;
        if (tailCacheBytes < 0) {
            throw new IllegalArgumentException("tail-cache-bytes must not be negative, got " + tailCacheBytes);
        }
        deadLetterTopic = deadLetterTopic == null ? DEFAULT_DEAD_LETTER_TOPIC : deadLetterTopic;
        dataDir = dataDir == null ? Optional.empty() : dataDir;
        nodeLimits = nodeLimits == null ? NodeLimits.defaults() : nodeLimits;
        if (!deadLetterTopic.replace("{topic}", "t").matches("[a-zA-Z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("dead-letter-topic must be a topic name of [a-zA-Z0-9._-] in which"
                    + " {topic} stands for the read topic, got: " + deadLetterTopic);
        }
        if (maxTransactionalProducers < 0) {
            throw new IllegalArgumentException(
                    "max-transactional-producers must not be negative, got " + maxTransactionalProducers);
        }
    }

    /** A builder with every default set; node id and bootstrap servers are required. */
    public static Builder builder(String nodeId, String bootstrapServers) {
        return new Builder(nodeId, bootstrapServers);
    }

    /** Builds a configuration by changing some of the defaults. */
    public static final class Builder {
        private String shard = DEFAULT_SHARD;
        private final String nodeId;
        private final String bootstrapServers;
        private final Map<String, String> kafka = new LinkedHashMap<>();
        private SessionLimits limits = SessionLimits.defaults();
        private boolean autoCreateTopics;
        private int defaultPartitions = DEFAULT_PARTITIONS;
        private int replicationFactor = AUTO;
        private int minInsyncReplicas = AUTO;
        private EncryptionConfig encryption = EncryptionConfig.disabled();
        private long tailCacheBytes = DEFAULT_TAIL_CACHE_BYTES;
        private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
        private @Nullable Path dataDir;
        private NodeLimits nodeLimits = NodeLimits.defaults();
        private int maxTransactionalProducers = DEFAULT_MAX_TRANSACTIONAL_PRODUCERS;

        private Builder(String nodeId, String bootstrapServers) {
            this.nodeId = nodeId;
            this.bootstrapServers = bootstrapServers;
        }

        public Builder shard(String value) {
            shard = value;
            return this;
        }

        /** Adds one Kafka client property, passed through to the producer, consumers and admin client. */
        public Builder kafka(String key, String value) {
            kafka.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public Builder limits(SessionLimits value) {
            limits = value;
            return this;
        }

        public Builder autoCreateTopics(boolean value) {
            autoCreateTopics = value;
            return this;
        }

        public Builder defaultPartitions(int value) {
            defaultPartitions = value;
            return this;
        }

        public Builder replicationFactor(int value) {
            replicationFactor = value;
            return this;
        }

        /** {@code min.insync.replicas} of the topics this node creates; {@link #AUTO}: one less than replicas. */
        public Builder minInsyncReplicas(int value) {
            minInsyncReplicas = value;
            return this;
        }

        public Builder encryption(EncryptionConfig value) {
            encryption = value;
            return this;
        }

        /** Bytes of recent records per tailed topic shared by its readers; 0 turns sharing off. */
        public Builder tailCacheBytes(long value) {
            tailCacheBytes = value;
            return this;
        }

        /** The dead-letter topic's name; {@code {topic}} stands for the topic a rejected record was read from. */
        public Builder deadLetterTopic(String value) {
            deadLetterTopic = value;
            return this;
        }

        /** The node's own directory, for its spill journal. */
        public Builder dataDir(Path value) {
            dataDir = Objects.requireNonNull(value, "dataDir");
            return this;
        }

        public Builder nodeLimits(NodeLimits value) {
            nodeLimits = value;
            return this;
        }

        /** The most exactly-once writers (transactional producers) at once; 0 turns exactly-once off. */
        public Builder maxTransactionalProducers(int value) {
            maxTransactionalProducers = value;
            return this;
        }

        public BackendConfig build() {
            return new BackendConfig(
                    shard,
                    nodeId,
                    bootstrapServers,
                    kafka,
                    limits,
                    autoCreateTopics,
                    defaultPartitions,
                    replicationFactor,
                    encryption,
                    tailCacheBytes,
                    deadLetterTopic,
                    Optional.ofNullable(dataDir),
                    nodeLimits,
                    minInsyncReplicas,
                    maxTransactionalProducers);
        }
    }
}
