package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks topics up for allocation and, when {@code auto-create-topics} is on, creates unknown ones with the
 * configured partitions and replication factor. Another node creating the same topic at once is fine.
 */
public final class TopicManager implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TopicManager.class);
    private static final long TIMEOUT_MS = 15_000;

    private final Admin admin;
    private final BackendConfig config;

    public TopicManager(BackendConfig config) {
        this.config = config;
        this.admin = Admin.create(KafkaClients.admin(config));
    }

    /** The partition count of {@code topic}, creating it if allowed; TOPIC_NOT_FOUND otherwise. */
    public int partitions(String topic) {
        Integer existing = describe(topic);
        if (existing != null) {
            return existing;
        }
        if (!config.autoCreateTopics()) {
            throw SwitchboardException.of(ErrorCode.TOPIC_NOT_FOUND, "topic '" + topic + "' does not exist");
        }
        return create(topic, config.defaultPartitions());
    }

    /**
     * Creates one of Switchboard's own topics (a dead-letter topic) with {@code partitions} when it does not
     * exist, whatever {@code auto-create-topics} says.
     */
    public void ensure(String topic, int partitions) {
        if (describe(topic) == null) {
            create(topic, partitions);
        }
    }

    /** Partition count, or null when the topic does not exist. */
    private Integer describe(String topic) {
        try {
            return await(admin.describeTopics(List.of(topic)).allTopicNames())
                    .get(topic)
                    .partitions()
                    .size();
        } catch (UnknownTopicOrPartitionException e) {
            return null;
        }
    }

    private int create(String topic, int partitionCount) {
        NewTopic newTopic = new NewTopic(topic, partitionCount, (short) config.replicationFactor())
                .configs(Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(KafkaClients.maxMessageBytes(config.limits()))));
        try {
            int partitions = await(admin.createTopics(List.of(newTopic)).numPartitions(topic));
            LOGGER.info(
                    "topic created topic={} partitions={} replication-factor={} node={}",
                    topic,
                    partitions,
                    config.replicationFactor(),
                    config.nodeId());
            return partitions;
        } catch (TopicExistsException e) {
            Integer raced = describe(topic);
            if (raced == null) {
                throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "topic '" + topic + "' is being created");
            }
            return raced;
        }
    }

    /** Waits for an admin result, rethrowing Kafka's own exception so the edge can map it. */
    private static <T> T await(Future<T> future) {
        try {
            return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("admin call failed", e.getCause());
        } catch (TimeoutException e) {
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "Kafka did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "interrupted while waiting for Kafka");
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
