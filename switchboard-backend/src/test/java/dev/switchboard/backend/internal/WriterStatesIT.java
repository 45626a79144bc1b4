package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.testkit.KafkaExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The writer state store on a real Kafka: bad records, expiry and the memory bound. */
class WriterStatesIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final BackendConfig config =
            BackendConfig.builder("ws", KAFKA.bootstrapServers()).build();
    private final TopicManager topicManager = new TopicManager(config);

    @org.junit.jupiter.api.AfterEach
    void closeTopics() {
        topicManager.close();
    }

    private final String topic = "__writer_states_it_" + TOPICS.incrementAndGet();

    private void produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClients.producer(config))) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get();
            }
        }
    }

    @Test
    void malformedRecordsAreIgnoredAndAStaleLowerRecordNeverMovesAWriterBack() throws Exception {
        WriterKey key = new WriterKey("alice", "orders", "w");
        try (WriterStates states = WriterStates.open(config, Clock.systemUTC(), topicManager, topic, 100)) {
            WriterStateCodec codec = states.codec();
            int partition = codec.partition(key);
            produce(List.of(
                    codec.record(key, 5),
                    new ProducerRecord<>(
                            topic,
                            partition,
                            new byte[] {9, 9},
                            codec.record(key, 7).value()),
                    new ProducerRecord<>(topic, partition, key.toBytes(), new byte[] {1, 2, 3}),
                    // a seq no writer can reach (it would overflow): ignored, not believed
                    new ProducerRecord<>(
                            topic,
                            partition,
                            key.toBytes(),
                            java.nio.ByteBuffer.allocate(9)
                                    .put((byte) 1)
                                    .putLong(Long.MAX_VALUE)
                                    .array()),
                    codec.record(key, 3)));

            assertThat(states.lastCommitted(key)).isEqualTo(5);
            assertThat(states.lastCommitted(new WriterKey("alice", "orders", "other")))
                    .isZero();
        }
    }

    @Test
    void aWritersStateExpiresSevenDaysAfterItsLastCommit() throws Exception {
        WriterKey key = new WriterKey("alice", "orders", "w");
        Clock later = Clock.offset(Clock.systemUTC(), WriterStates.RETENTION.plus(Duration.ofHours(1)));
        try (WriterStates now = WriterStates.open(config, Clock.systemUTC(), topicManager, topic, 100);
                WriterStates eightDaysOn = WriterStates.open(config, later, topicManager, topic, 100)) {
            produce(List.of(now.codec().record(key, 4)));

            assertThat(now.lastCommitted(key)).isEqualTo(4);
            assertThat(eightDaysOn.lastCommitted(key)).isZero();
        }
    }

    @Test
    void pastItsMemoryBoundANodeRefusesWritersItDoesNotKnowInsteadOfAnsweringZero() throws Exception {
        List<WriterKey> keys =
                List.of(new WriterKey("p", "t", "a"), new WriterKey("p", "t", "b"), new WriterKey("p", "t", "c"));
        WriterStateCodec codec = new WriterStateCodec(topic, WriterStates.PARTITIONS);
        try (WriterStates first = WriterStates.open(config, Clock.systemUTC(), topicManager, topic, 100)) {
            produce(keys.stream().map(key -> codec.record(key, 2)).toList());
            assertThat(first.lastCommitted(keys.get(2))).isEqualTo(2);
        }

        // a node that may hold only two writers
        try (WriterStates bounded = WriterStates.open(config, Clock.systemUTC(), topicManager, topic, 2)) {
            Map<Boolean, Long> outcomes = keys.stream()
                    .map(key -> catchThrowable(
                            () -> assertThat(bounded.lastCommitted(key)).isEqualTo(2)))
                    .collect(java.util.stream.Collectors.partitioningBy(
                            failure -> failure == null, java.util.stream.Collectors.counting()));

            // knows two of them, and refuses the third (BUSY) rather than call it new
            assertThat(outcomes).containsEntry(true, 2L).containsEntry(false, 1L);
            assertThat(bounded.snapshot()).hasSize(2);
            SwitchboardException refusal = (SwitchboardException) keys.stream()
                    .map(key -> catchThrowable(() -> bounded.lastCommitted(key)))
                    .filter(failure -> failure != null)
                    .findFirst()
                    .orElseThrow();
            assertThat(refusal.code()).isEqualTo(ErrorCode.BUSY);
        }
    }
}
