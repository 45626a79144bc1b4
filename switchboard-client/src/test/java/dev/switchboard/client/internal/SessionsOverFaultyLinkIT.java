package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.BackendNode;
import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Guarantee;
import dev.switchboard.client.PublishResult;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The SDK's real publisher ({@code WritePipeline}, {@code WriterState}) and subscriber ({@code DefaultSubscriber})
 * against real backend nodes ({@code BackendNode}: {@code WriteSession}, {@code ReadSession}) on the testkit's
 * in-process Kafka, through a {@link FaultyLink} that loses, duplicates, delays and reorders requests and answers
 * and loses the backend node once. Whatever the faults, checked against what Kafka holds (read_committed):
 *
 * <ul>
 *   <li>nothing acknowledged is lost: every event of a publish that completed is in Kafka, and the subscriber
 *       delivers every event Kafka holds;
 *   <li>nothing out of order within a partition: the writer's events land in the order published (first
 *       occurrences), and the subscriber never delivers an offset at or below one it acknowledged;
 *   <li>an exactly-once writer leaves no duplicate.
 * </ul>
 *
 * The API tier is the in-process one ({@link InProcessApi}: the generated processor and a real {@link LocalSwitch},
 * no HTTP and no authentication), so each try costs a backend node or two, not a cluster.
 */
class SessionsOverFaultyLinkIT {
    private static final KafkaExtension KAFKA = new KafkaExtension(); // one broker for the JVM, started on first use
    private static final byte[] SECRET = "faulty-link-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final int EVENTS = 60;

    @Provide
    Arbitrary<LinkPlan> plans() {
        Arbitrary<Double> rate = Arbitraries.doubles().between(0, 0.08);
        return Combinators.combine(
                        rate, rate, rate, rate, Arbitraries.integers().between(5, 120), Arbitraries.longs())
                .as(LinkPlan::new);
    }

    @Property(tries = 6, shrinking = ShrinkingMode.OFF)
    void publishedEventsArriveInOrderAndNoneAcknowledgedIsLost(
            @ForAll("plans") LinkPlan plan, @ForAll Guarantee guarantee, @ForAll boolean riding) throws Exception {
        String topic = "faulty-link-" + RUNS.incrementAndGet();
        KAFKA.createTopic(topic, 2);
        List<String> acknowledged = new ArrayList<>();
        try (Cluster cluster = new Cluster(plan)) {
            try (Publisher publisher = cluster.runtime.publisher(PublisherOptions.builder()
                    .topic(topic)
                    .writerId("writer-" + topic)
                    .chunkEvents(4)
                    .window(3)
                    .guarantee(guarantee)
                    .commitOnWrite(riding)
                    .retryBudget(Duration.ofSeconds(20))
                    .build())) {
                List<CompletableFuture<PublishResult>> publishes = new ArrayList<>();
                for (int from = 0; from < EVENTS; from += 10) {
                    publishes.add(publisher.publishAsync(events(from, 10)));
                }
                for (int i = 0; i < publishes.size(); i++) {
                    if (!publishes
                            .get(i)
                            .handle((result, failure) -> failure == null)
                            .join()) {
                        continue; // failed publishes promise nothing
                    }
                    IntStream.range(i * 10, i * 10 + 10).forEach(n -> acknowledged.add(payload(n)));
                }
            } catch (RuntimeException e) {
                // a close that could not flush: the publishes that completed are still promised
            }
            List<ConsumerRecord<byte[], byte[]>> stored = committedRecords(topic);
            assertWriterInvariants(stored, acknowledged, guarantee);

            assertSubscriberInvariants(cluster, topic, stored, riding);
            Statistics.collect(
                    guarantee, riding ? "riding" : "apart", cluster.started.get() > 1 ? "node lost" : "node kept");
        }
    }

    private static void assertWriterInvariants(
            List<ConsumerRecord<byte[], byte[]>> stored, List<String> acknowledged, Guarantee guarantee) {
        List<String> payloads =
                stored.stream().map(record -> text(record.value())).toList();
        assertThat(payloads).as("every acknowledged event is in Kafka").containsAll(acknowledged);
        Map<Integer, List<Integer>> firstSeen = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : stored) {
            if (seen.add(text(record.value()))) {
                firstSeen
                        .computeIfAbsent(record.partition(), p -> new ArrayList<>())
                        .add(number(record.value()));
            }
        }
        firstSeen.forEach((partition, numbers) -> assertThat(numbers)
                .as("the writer's events in partition %s, in the order they first landed", partition)
                .isSorted());
        if (guarantee == Guarantee.EXACTLY_ONCE) {
            assertThat(payloads)
                    .as("an exactly-once writer leaves no duplicate")
                    .doesNotHaveDuplicates();
        }
    }

    /**
     * {@code riding}: acks ride on the next read. Either way an ack the link or a lost node kept from the backend
     * delivers its batch again (the subscriber's contract), so only the offsets of the batches before the last one
     * acknowledged are known confirmed: nothing at or below them may come again.
     */
    private static void assertSubscriberInvariants(
            Cluster cluster, String topic, List<ConsumerRecord<byte[], byte[]>> stored, boolean riding) {
        Set<String> expected = new HashSet<>();
        stored.forEach(record -> expected.add(record.partition() + "@" + record.offset()));
        Set<String> delivered = new HashSet<>();
        Map<Integer, Long> acked = new HashMap<>();
        try (Subscriber subscriber = cluster.runtime.subscriber(SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .maxEvents(7)
                .maxWait(Duration.ofMillis(200))
                .retryBudget(Duration.ofSeconds(20))
                .ackOnPoll(riding)
                .build())) {
            Map<Integer, Long> confirmed = new HashMap<>(); // the acked offsets before the last acked batch
            for (int poll = 0; poll < 400 && !delivered.containsAll(expected); poll++) {
                Batch batch = subscriber.poll();
                Map<Integer, Long> last = new HashMap<>(confirmed);
                Map<Integer, Long> inBatch = new HashMap<>();
                for (ReceivedEvent event : batch.events()) {
                    long previous = last.getOrDefault(event.partition(), -1L);
                    assertThat(event.offset())
                            .as("partition %s: delivered after offset %s", event.partition(), previous)
                            .isGreaterThan(previous);
                    last.put(event.partition(), event.offset());
                    inBatch.put(event.partition(), event.offset());
                    delivered.add(event.partition() + "@" + event.offset());
                }
                subscriber.ack(batch);
                if (!batch.isEmpty()) {
                    confirmed = new HashMap<>(acked); // a new batch came: the ack before this one was answered
                    acked.putAll(inBatch);
                }
            }
        }
        assertThat(delivered)
                .as("the subscriber delivers every event Kafka holds")
                .containsAll(expected);
    }

    private static List<Event> events(int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(n ->
                        Event.builder().key("k" + n % 3).payload(payload(n)).build())
                .toList();
    }

    private static String payload(int n) {
        return "event-" + n;
    }

    private static int number(byte[] payload) {
        return Integer.parseInt(text(payload).substring("event-".length()));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Everything in {@code topic} that a read_committed consumer sees, in partition order. */
    private static List<ConsumerRecord<byte[], byte[]>> committedRecords(String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (int round = 0;
                    round < 200 && !partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                    round++) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** A switch with one backend node at a time, the in-process API tier and the SDK behind a faulty link. */
    private static final class Cluster implements AutoCloseable {
        private final LocalSwitch router = new LocalSwitch();
        private final List<BackendNode> nodes = new ArrayList<>();
        private final AtomicInteger started = new AtomicInteger();
        private final ClientRuntime runtime;
        private Switch.Attachment attachment;
        private BackendNode node;

        Cluster(LinkPlan plan) {
            attachNew();
            FaultyLink link = new FaultyLink(new InProcessApi(router, plan.seed(), 0), plan, this::loseNode);
            Random jitter = new Random(plan.seed());
            RetryPolicy retries = RetryPolicy.builder()
                    .budget(Duration.ofSeconds(20))
                    .initialBackoff(Duration.ofMillis(1))
                    .maxBackoff(Duration.ofMillis(20))
                    .build();
            Clock clock = Clock.systemUTC();
            runtime = new ClientRuntime(link, new Retrier(retries, Sleeper.REAL, jitter::nextDouble, clock), clock);
        }

        private synchronized void attachNew() {
            node = BackendNode.start(
                    BackendConfig.builder("node-" + started.incrementAndGet(), KAFKA.bootstrapServers())
                            .maxTransactionalProducers(4)
                            .build(),
                    SECRET,
                    Clock.systemUTC());
            nodes.add(node);
            attachment = router.attach(node);
        }

        /** The node is gone: its sessions with it (what it staged and nobody committed); another takes its place. */
        private synchronized void loseNode() {
            attachment.close();
            BackendNode lost = node;
            attachNew();
            Thread.ofVirtual().start(lost::close);
        }

        @Override
        public synchronized void close() {
            runtime.close();
            attachment.close();
            nodes.forEach(BackendNode::close);
            router.close();
        }
    }
}
