package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks topics up for allocation and, for writers when {@code auto-create-topics} is on, creates unknown ones
 * with the configured partitions and replication factor. Another node creating the same topic at once is fine.
 */
public final class TopicManager implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TopicManager.class);
    private static final long TIMEOUT_MS = 15_000;

    private final Admin admin;
    private final BackendConfig config;
    /** Worked out on first use. */
    private volatile @Nullable Replication replication;

    public TopicManager(BackendConfig config) {
        this.config = config;
        this.admin = Admin.create(KafkaClients.admin(config));
    }

    /**
     * The partition count of {@code topic}; a missing topic is created when {@code mayCreate} (a writer) and
     * {@code auto-create-topics} is on, else TOPIC_NOT_FOUND (a reader never creates a topic: it would only wait
     * on an empty topic for events nobody writes).
     */
    public int partitions(String topic, boolean mayCreate) {
        OptionalInt existing = describe(topic);
        if (existing.isPresent()) {
            return existing.getAsInt();
        }
        if (!mayCreate || !config.autoCreateTopics()) {
            throw SwitchboardException.of(
                    ErrorCode.TOPIC_NOT_FOUND,
                    "topic '" + topic + "' does not exist"
                            + (mayCreate ? "" : " (readers never create topics; a writer creates it where allowed)"));
        }
        return create(topic, config.defaultPartitions());
    }

    /**
     * The replication of every topic this node creates: as configured, with {@code AUTO} settings worked out
     * from the number of brokers registered in the cluster, fenced ones included (asked once, on first use): a
     * node that starts while a broker is down must not create topics with fewer replicas for good.
     */
    public Replication replication() {
        Replication known = replication;
        if (known == null) {
            int brokers = await(admin.describeCluster(new DescribeClusterOptions()
                                    .includeFencedBrokers(true)
                                    .timeoutMs((int) TIMEOUT_MS))
                            .nodes())
                    .size();
            known = Replication.resolve(config.replicationFactor(), config.minInsyncReplicas(), brokers);
            replication = known;
            LOGGER.info(
                    "topic replication brokers={} replication-factor={} min-insync-replicas={} node={}",
                    brokers,
                    known.factor(),
                    known.minInsyncReplicas(),
                    config.nodeId());
        }
        return known;
    }

    /**
     * The one place Switchboard's own topics come from (internal topics such as {@code __switchboard_keys} and
     * {@code __switchboard_writers}, dead-letter topics): creates {@code topic} with {@code partitions},
     * {@code configs} and the node's {@link #replication} when it does not exist, whatever
     * {@code auto-create-topics} says. An existing topic with fewer replicas than configured is logged at WARN
     * (topic, actual, configured): it still works, but one lost broker may lose what it holds. Answers the
     * replicas its partitions have (the fewest).
     */
    public int ensure(String topic, int partitions, Map<String, String> configs) {
        Replication wanted = replication();
        OptionalInt found = replicas(topic);
        if (found.isEmpty()) {
            create(topic, partitions, configs, true);
            return wanted.factor();
        }
        int replicas = found.getAsInt();
        if (replicas < wanted.factor()) {
            LOGGER.warn(
                    "topic has fewer replicas than configured topic={} replicas={} replication-factor={}"
                            + " (one lost broker may lose what it holds; add replicas with"
                            + " kafka-reassign-partitions) node={}",
                    topic,
                    replicas,
                    wanted.factor(),
                    config.nodeId());
        }
        return replicas;
    }

    /** How many brokers serve (fenced ones not counted); throws when Kafka does not answer within {@code timeout}. */
    public int brokerCount(Duration timeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        return await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis))
                        .nodes())
                .size();
    }

    /** The fewest replicas of the topic's partitions; empty when the topic does not exist. */
    private OptionalInt replicas(String topic) {
        try {
            return OptionalInt.of(description(topic).partitions().stream()
                    .mapToInt(partition -> partition.replicas().size())
                    .min()
                    .orElse(0));
        } catch (UnknownTopicOrPartitionException e) {
            return OptionalInt.empty();
        }
    }

    /** Partition count; empty when the topic does not exist. */
    private OptionalInt describe(String topic) {
        try {
            return OptionalInt.of(description(topic).partitions().size());
        } catch (UnknownTopicOrPartitionException e) {
            return OptionalInt.empty();
        }
    }

    /** The broker's description of {@code topic}; UnknownTopicOrPartitionException when it has none. */
    private TopicDescription description(String topic) {
        TopicDescription description =
                await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        if (description == null) {
            throw new UnknownTopicOrPartitionException("topic " + topic + " is not in the broker's answer");
        }
        return description;
    }

    private int create(String topic, int partitionCount) {
        return create(topic, partitionCount, dataTopicConfigs(), false);
    }

    /** Settings of a topic holding events: records as large as the largest event this node accepts. */
    public Map<String, String> dataTopicConfigs() {
        return Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(KafkaClients.maxMessageBytes(config.limits())));
    }

    /**
     * Creates the topic; when another node created it a moment before, answers its partitions, or with
     * {@code existsIsEnough} the requested count even while the broker does not describe it yet (else
     * UNAVAILABLE: the caller needs the true count).
     */
    private int create(String topic, int partitionCount, Map<String, String> configs, boolean existsIsEnough) {
        Replication wanted = replication();
        Map<String, String> all = new HashMap<>(configs);
        all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(wanted.minInsyncReplicas()));
        NewTopic newTopic = new NewTopic(topic, partitionCount, (short) wanted.factor()).configs(all);
        try {
            int partitions = await(admin.createTopics(List.of(newTopic)).numPartitions(topic));
            awaitDescribable(topic);
            LOGGER.info(
                    "topic created topic={} partitions={} replication-factor={} min-insync-replicas={} node={}",
                    topic,
                    partitions,
                    wanted.factor(),
                    wanted.minInsyncReplicas(),
                    config.nodeId());
            return partitions;
        } catch (InvalidReplicationFactorException e) {
            // a broker of the cluster is down: wait for it rather than create a topic with fewer replicas for good
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE,
                    "topic '" + topic + "' cannot be created with " + wanted.factor()
                            + " replicas while brokers are down; retry once they are back");
        } catch (TopicExistsException e) {
            OptionalInt raced = describe(topic);
            if (raced.isEmpty()) {
                if (existsIsEnough) {
                    return partitionCount;
                }
                throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "topic '" + topic + "' is being created");
            }
            return raced.getAsInt();
        }
    }

    /**
     * Returns once a broker describes the topic just created, at most {@link #TIMEOUT_MS}. The controller answers
     * a create as soon as it decided; a broker learns of the topic from the metadata log a moment later, and until
     * then describes it as unknown. Without this wait a reader allocating right after the writer that created the
     * topic (on this node, whose admin asks a broker) was told TOPIC_NOT_FOUND.
     */
    private void awaitDescribable(String topic) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        for (long pauseMs = 5; describe(topic) == null; pauseMs = Math.min(200, pauseMs * 2)) {
            if (System.nanoTime() - deadline > 0) {
                LOGGER.warn(
                        "topic created but not yet described by the brokers topic={} node={}", topic, config.nodeId());
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "interrupted while waiting for Kafka");
            }
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
