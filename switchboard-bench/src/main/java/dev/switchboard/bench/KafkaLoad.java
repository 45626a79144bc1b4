package dev.switchboard.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The baseline: raw Kafka clients on the same broker. One producer (acks=all, idempotent, the Java client's
 * defaults otherwise, with {@code batch.size} sized for the bench batch) or one consumer (all partitions
 * assigned, no group, {@code max.poll.records} = the bench batch) per bench session. A record's latency runs from
 * {@code send} to its acknowledgement callback.
 */
final class KafkaLoad implements Load {
    /** Partitions of the topics the baseline creates: Switchboard's default for auto-created topics. */
    static final int PARTITIONS = 3;

    private static final Duration POLL_WAIT = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private final String bootstrapServers;
    private final BenchSettings settings;
    private final Payloads payloads;

    KafkaLoad(String bootstrapServers, BenchSettings settings) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.payloads = new Payloads(settings.size(), settings.payload());
    }

    @Override
    public String system() {
        return "kafka";
    }

    /**
     * Creates the topic and waits until every partition has a leader: an idempotent producer that starts on a
     * partition still without one can end up retrying OUT_OF_ORDER_SEQUENCE for good (seen with a fresh topic).
     */
    @Override
    public void prepareTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                        .all()
                        .get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            awaitLeaders(admin, topic);
        }
    }

    /** Until every partition has a leader that answers for it (a ListOffsets goes to the leader itself). */
    private static void awaitLeaders(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get()
                        .get(topic);
                if (description != null
                        && description.partitions().stream().allMatch(partition -> partition.leader() != null)) {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    description
                            .partitions()
                            .forEach(partition ->
                                    latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
                    admin.listOffsets(latest).all().get();
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has partitions without a leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public PhaseResult write(String topic, long events, Progress progress) throws Exception {
        Histogram latency = Latencies.histogram();
        long start = System.nanoTime();
        Sessions.run(
                settings.sessions(),
                progress,
                session -> produce(topic, settings.shareOf(events, session), latency, progress, false));
        long nanos = System.nanoTime() - start;
        return new PhaseResult(system(), "write", events, events * settings.size(), nanos, latency, 0);
    }

    private void produce(String topic, long events, Histogram latency, Progress progress, boolean stamped) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Pacer pacer = settings.pacer();
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties());
        try {
            for (long i = 0; i < events && failure.get() == null; i++) {
                if (i % settings.batch() == 0) {
                    pacer.awaitTurn(i); // batches leave on the same schedule as Switchboard's chunks
                }
                long sent = System.nanoTime();
                byte[] payload = stamped ? payloads.stamped(i) : payloads.get(i);
                producer.send(new ProducerRecord<>(topic, payload), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        Latencies.record(latency, sent, 1);
                        progress.add(1);
                    }
                });
            }
            producer.flush();
        } finally {
            producer.close(CLOSE_TIMEOUT); // bounded: a stalled phase is interrupted and must not hang here
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing failed: " + failure.get().getMessage(), failure.get());
        }
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** A producer batch that holds about one bench batch, between Kafka's default 16 KiB and 1 MiB. */
    private int batchBytes() {
        long bytes = (long) settings.batch() * (settings.size() + 64);
        return (int) Math.max(16 * 1024, Math.min(1024 * 1024, bytes));
    }

    @Override
    public PhaseResult read(String topic, long events, Progress progress) throws Exception {
        Histogram latency = Latencies.histogram();
        long start = System.nanoTime();
        Sessions.run(settings.sessions(), progress, session -> consume(topic, events, latency, false, progress));
        long nanos = System.nanoTime() - start;
        long total = events * settings.sessions();
        return new PhaseResult(system(), "read", total, total * settings.size(), nanos, latency, 0);
    }

    /** As {@code SwitchboardLoad.consume}: poll latency into {@code latency}, or with {@code endToEnd} each event's. */
    private void consume(String topic, long events, Histogram latency, boolean endToEnd, Progress progress) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long received = 0;
            while (received < events) {
                long polled = System.nanoTime();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_WAIT);
                if (records.isEmpty()) {
                    continue;
                }
                if (endToEnd) {
                    long now = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        latency.recordValue(Math.max(1, (now - Payloads.stampOf(record.value())) / 1000));
                    }
                } else {
                    Latencies.record(latency, polled, records.count());
                }
                received += records.count();
                progress.add(records.count());
            }
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.batch()));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    @Override
    public PhaseResult roundtrip(String topic, long events, Progress progress) throws Exception {
        Histogram endToEnd = Latencies.histogram();
        Histogram acks = Latencies.histogram();
        Progress untracked = Progress.silent();
        long start = System.nanoTime();
        Sessions.run(settings.sessions() + 1, progress, session -> {
            if (session == settings.sessions()) {
                consume(topic, events, endToEnd, true, progress);
            } else {
                produce(topic, settings.shareOf(events, session), acks, untracked, true);
            }
        });
        long nanos = System.nanoTime() - start;
        return new PhaseResult(system(), "roundtrip", events, events * settings.size(), nanos, endToEnd, 0);
    }

    @Override
    public void close() {}
}
