package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable writer state every node shares: the last committed chunk seq of each writer ({@link WriterKey}),
 * kept in the compacted internal topic {@value #TOPIC}. A tailing thread reads the topic (read_committed) into
 * memory; {@link #lastCommitted} first waits until it has read past everything Kafka held in the writer's
 * partition when asked (the high watermark, so also past every transaction then open: committed or aborted, it
 * is decided), so an allocate on any node answers the true last committed seq, including a commit another node
 * answered a moment ago. An exactly-once writer's transaction left open by a dead node holds that up until the
 * transaction times out ({@link KafkaClients#TRANSACTION_TIMEOUT_MS}); past max-wait allocate answers
 * UNAVAILABLE and the client retries.
 *
 * <p>A writer's state expires {@link #RETENTION} after its last commit (the topic is compacted and deleted by
 * time; the memory is swept the same way), so writer ids a client never uses again do not pile up. Memory is
 * also bounded by {@link #MAX_WRITERS}: past it the node cannot tell a new writer from a forgotten one, so it
 * refuses writers it does not know (BUSY) rather than answer a wrong seq.
 *
 * <p>The topic keeps only a writer's last record, so a record lower than one before it would move the writer back
 * once compaction ran (and a writer allocating with the seq it was told would be refused for good). Records are
 * therefore made here ({@link #record}): never below the highest seq this node has read for the writer.
 */
public final class WriterStates implements WriterStateRecords, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(WriterStates.class);

    public static final String TOPIC = "__switchboard_writers";
    static final int PARTITIONS = 12;
    static final Duration RETENTION = Duration.ofDays(7);
    static final int MAX_WRITERS = 1_000_000;
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    private static final long TIMEOUT_MS = 15_000;
    /** The longest the tailer's poll takes; it wakes waiting readers after each. */
    private static final Duration POLL = Duration.ofMillis(500);

    private record State(long seq, long timestampMs) {}

    private final WriterStateCodec codec;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Clock clock;
    private final Duration readTimeout;
    private final int maxWriters;
    private final Map<WriterKey, State> states = new ConcurrentHashMap<>();
    private final Object progress = new Object();
    /** Guarded by {@code progress}: the next offset the tailer will read, per partition (-1 before the first). */
    private final long[] positions;

    private final Thread tailer;
    private volatile boolean closed;
    private volatile boolean overflowed;

    private WriterStates(
            WriterStateCodec codec,
            Admin admin,
            KafkaConsumer<byte[], byte[]> consumer,
            Clock clock,
            Duration readTimeout,
            int maxWriters) {
        this.codec = codec;
        this.admin = admin;
        this.consumer = consumer;
        this.clock = clock;
        this.readTimeout = readTimeout;
        this.maxWriters = maxWriters;
        this.positions = new long[codec.partitions()];
        java.util.Arrays.fill(positions, -1);
        List<TopicPartition> all = IntStream.range(0, codec.partitions())
                .mapToObj(p -> new TopicPartition(codec.topic(), p))
                .toList();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        this.tailer = Thread.ofPlatform().daemon().name("sb-writer-states").start(this::tail);
    }

    /** Creates the topic when missing and starts reading it. */
    public static WriterStates open(BackendConfig config, Clock clock, TopicManager topics) {
        return open(config, clock, topics, TOPIC, MAX_WRITERS);
    }

    static WriterStates open(BackendConfig config, Clock clock, TopicManager topics, String topic, int maxWriters) {
        Admin admin = Admin.create(KafkaClients.admin(config));
        try {
            topics.ensure(
                    topic,
                    PARTITIONS,
                    Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG,
                            Long.toString(RETENTION.toMillis())));
            int partitions = describe(admin, topic, clock);
            Properties props = KafkaClients.consumer(config, "writers", 5000);
            // its own client id: not a session's reader (whose consumers come and go with sessions)
            props.put(
                    ConsumerConfig.CLIENT_ID_CONFIG,
                    "switchboard-" + config.shard() + "-" + config.nodeId() + "-writer-states");
            return new WriterStates(
                    new WriterStateCodec(topic, partitions),
                    admin,
                    new KafkaConsumer<>(props),
                    clock,
                    config.limits().maxWait(),
                    maxWriters);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    /** The topic's partition count; waits a moment for the metadata of a topic just created elsewhere. */
    private static int describe(Admin admin, String topic, Clock clock) {
        long deadline = clock.millis() + TIMEOUT_MS;
        try {
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                            .get(topic);
                    if (description == null) {
                        throw new IllegalStateException("the writer state topic " + topic + " was not described");
                    }
                    return description.partitions().size();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || clock.millis() > deadline) {
                        throw e;
                    }
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot open the writer state topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the writer state topic " + topic, e);
        }
    }

    WriterStateCodec codec() {
        return codec;
    }

    /**
     * The last chunk seq {@code key} committed (0 for a writer never seen or expired), once this node has read
     * everything Kafka holds for it. UNAVAILABLE when that takes longer than max-wait (Kafka unreachable); BUSY
     * when the node forgot writers for lack of memory and does not know this one.
     */
    long lastCommitted(WriterKey key) {
        int partition = codec.partition(key);
        long end = endOffset(partition);
        // by the node's clock: the tailer wakes this wait after every poll, so a moved clock is seen at once
        long deadline = clock.millis() + readTimeout.toMillis();
        synchronized (progress) {
            while (positions[partition] < end) {
                long remaining = deadline - clock.millis();
                if (closed || remaining <= 0) {
                    throw SwitchboardException.of(
                            ErrorCode.UNAVAILABLE, "the writer state could not be read in time; allocate again");
                }
                try {
                    TimeUnit.MILLISECONDS.timedWait(progress, Math.min(remaining, POLL.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "interrupted reading the writer state");
                }
            }
        }
        State state = states.get(key);
        if (state == null && overflowed) {
            throw SwitchboardException.of(
                    ErrorCode.BUSY, "this node holds the state of too many writers to know a new one; allocate again");
        }
        return state == null || expired(state) ? 0 : state.seq();
    }

    /**
     * The state record saying {@code key} committed every chunk up to {@code seq}, or up to the higher seq this
     * node has read for it (a commit of another session, maybe on another node): a writer's record never goes
     * below one this node knows was written before it. Make it just before it is sent.
     */
    @Override
    public ProducerRecord<byte[], byte[]> record(WriterKey key, long seq) {
        return codec.record(key, Math.max(seq, known(key)));
    }

    /** The seq this node has read for {@code key} so far, without waiting; 0 when it has read none. */
    long known(WriterKey key) {
        State state = states.get(key);
        return state == null || expired(state) ? 0 : state.seq();
    }

    private long endOffset(int partition) {
        TopicPartition tp = new TopicPartition(codec.topic(), partition);
        try {
            return admin.listOffsets(
                            Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .partitionResult(tp)
                    .get(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .offset();
        } catch (ExecutionException | TimeoutException e) {
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE, "Kafka did not say where the writer state ends: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "interrupted reading the writer state");
        }
    }

    private void tail() {
        long nextSweep = clock.millis() + SWEEP_EVERY.toMillis();
        while (!closed) {
            try {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    apply(record);
                }
                long[] now = new long[positions.length];
                for (int p = 0; p < now.length; p++) {
                    now[p] = consumer.position(new TopicPartition(codec.topic(), p));
                }
                synchronized (progress) {
                    System.arraycopy(now, 0, positions, 0, now.length);
                    progress.notifyAll();
                }
                if (clock.millis() >= nextSweep) {
                    states.values().removeIf(this::expired);
                    nextSweep = clock.millis() + SWEEP_EVERY.toMillis();
                }
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOGGER.warn("reading the writer state failed; retrying topic={} error={}", codec.topic(), e.toString());
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        var key = WriterKey.fromBytes(record.key());
        if (key.isEmpty()) {
            LOGGER.warn(
                    "ignoring a malformed writer state key topic={} partition={} offset={}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        if (record.value() == null) {
            states.remove(key.get());
            return;
        }
        OptionalLong seq = WriterStateCodec.seq(record.value());
        if (seq.isEmpty()) {
            LOGGER.warn(
                    "ignoring a malformed writer state value topic={} partition={} offset={}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        State state = new State(seq.getAsLong(), record.timestamp());
        if (!states.containsKey(key.get()) && states.size() >= maxWriters) {
            if (!overflowed) {
                LOGGER.error(
                        "writer state holds {} writers; writers this node does not know are refused until it restarts",
                        maxWriters);
            }
            overflowed = true;
            return;
        }
        // a writer's seq never goes back: a late record of a replaced session must not lower it
        states.merge(key.get(), state, (old, fresh) -> fresh.seq() >= old.seq() ? fresh : old);
    }

    private boolean expired(State state) {
        return clock.millis() - state.timestampMs() > RETENTION.toMillis();
    }

    /** For tests: what this node holds, without waiting. */
    Map<WriterKey, Long> snapshot() {
        Map<WriterKey, Long> copy = new HashMap<>();
        states.forEach((key, state) -> copy.put(key, state.seq()));
        return copy;
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            tailer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        admin.close(Duration.ofSeconds(1));
        synchronized (progress) {
            progress.notifyAll();
        }
    }
}
