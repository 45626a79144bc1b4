package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.SessionLimits;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the properties of the node's Kafka clients: our defaults first, then the operator's pass-through
 * properties ({@code kafka}), then the few settings the protocol depends on, which cannot be overridden.
 */
final class KafkaClients {
    /** Producer batch size: large enough to amortise requests, small enough to keep latency low. */
    static final int BATCH_SIZE = 256 * 1024;

    /**
     * How long an exactly-once writer's transaction may stay open before Kafka aborts it: bounds how long a
     * transaction left open by a dead node holds back read_committed readers of its partitions (and writer
     * allocations sharing its writer state partition). Longer than a commit may take (max.block.ms 10 s).
     */
    static final int TRANSACTION_TIMEOUT_MS = 20_000;

    /** Room for record framing and headers above the largest event. */
    private static final int RECORD_OVERHEAD = 64 * 1024;

    private KafkaClients() {}

    /** The largest record batch this node may send: topic max.message.bytes and producer max.request.size. */
    static int maxMessageBytes(SessionLimits limits) {
        return Math.max(BATCH_SIZE, limits.maxEventBytes()) + RECORD_OVERHEAD;
    }

    static Properties admin(BackendConfig config) {
        Properties props = base(config, "admin");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return withOverrides(props, config.kafka());
    }

    static Properties producer(BackendConfig config) {
        Properties props = base(config, "producer");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_SIZE));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxMessageBytes(config.limits())));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        withOverrides(props, config.kafka());
        // The protocol's promise (committed = acknowledged by all in-sync replicas, no duplicates from
        // producer retries) depends on these.
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /**
     * The producer of one exactly-once writer: the node's producer settings with a {@code transactional.id}
     * of its own and a smaller buffer (a writer has at most a window of chunks in flight).
     */
    static Properties transactionalProducer(BackendConfig config, String transactionalId) {
        Properties props = producer(config);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, props.get(ProducerConfig.CLIENT_ID_CONFIG) + "-tx");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Long.toString(Math.max(
                        2L * maxMessageBytes(config.limits()),
                        Math.min(
                                64L << 20,
                                (long) config.limits().writeWindow()
                                        * config.limits().maxBytesPerChunk()))));
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(TRANSACTION_TIMEOUT_MS));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return props;
    }

    static Properties consumer(BackendConfig config, String sessionTag, int maxPollRecords) {
        Properties props = base(config, "reader-" + sessionTag);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        withOverrides(props, config.kafka());
        // Exactly-once writers' aborted and open transactions must never be read, whatever the operator set.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // The client holds its position (the cursor): no group, no committed offsets.
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /**
     * A read session's consumer: its fetches hold at most {@code fetchMaxBytes} (per broker; a single larger record
     * batch still comes through), whatever the operator set, as the node's read-buffer bounds depend on it.
     */
    static Properties consumer(BackendConfig config, String sessionTag, int maxPollRecords, int fetchMaxBytes) {
        Properties props = consumer(config, sessionTag, maxPollRecords);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(fetchMaxBytes));
        props.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(Math.min(fetchMaxBytes, ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES)));
        return props;
    }

    /** The consumer of a topic's shared tail reader: like a session's, under its own client id. */
    static Properties tail(BackendConfig config, String topic) {
        int fetchMaxBytes = (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.tailCacheBytes() / 2));
        Properties props = consumer(config, "x", ConsumerConfig.DEFAULT_MAX_POLL_RECORDS, fetchMaxBytes);
        props.put(
                CommonClientConfigs.CLIENT_ID_CONFIG,
                "switchboard-" + config.shard() + "-" + config.nodeId() + "-tail-" + topic);
        return props;
    }

    private static Properties base(BackendConfig config, String role) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(
                CommonClientConfigs.CLIENT_ID_CONFIG,
                "switchboard-" + config.shard() + "-" + config.nodeId() + "-" + role);
        return props;
    }

    private static Properties withOverrides(Properties props, Map<String, String> overrides) {
        props.putAll(overrides);
        return props;
    }
}
