package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer's record in the compacted state topic never goes below a commit written before it: the topic keeps only
 * the last record of a key, so a lower one written after a higher one would move the writer back once compaction
 * ran. Real Kafka; the race is made exact by letting the "live commit" land at the moment the re-injecting node
 * sends the spilled chunk, after it read the state and before it writes its own record. What compaction would keep
 * is read as it would: the last record of the key in its partition.
 */
class WriterStateRaceIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private final BackendConfig config =
            BackendConfig.builder("race", KAFKA.bootstrapServers()).build();
    private final TopicManager topics = new TopicManager(config);
    private final WriterKey key = new WriterKey("alice", "orders-race", "w");

    @TempDir
    Path dataDir;

    @AfterEach
    void close() {
        topics.close();
    }

    @Test
    void aReInjectedChunksStateRecordIsNotLeftBelowALiveCommitThatRacedIt() throws Exception {
        String stateTopic = "__writer_states_race_reinject";
        try (WriterStates states = WriterStates.open(config, Clock.systemUTC(), topics, stateTopic, 100);
                KafkaProducer<byte[], byte[]> live = new KafkaProducer<>(KafkaClients.producer(config))) {
            // Given a writer whose durable state is chunk 5, and its chunk 7 in a drained node's spill journal
            topics.ensure("orders-race", 1, java.util.Map.of());
            live.send(states.codec().record(key, 5)).get();
            assertThat(states.lastCommitted(key)).isEqualTo(5);
            SpillJournal.write(
                    Spiller.journalDir(dataDir).resolve("spill-1-n1.journal"),
                    List.of(new SpillJournal.Chunk(key, 7, List.of(event("seven")))));

            // When the node re-injects it while the writer, resent elsewhere, commits up to chunk 10: that commit's
            // state record lands after the node read the state (5) and before it writes its own
            AtomicBoolean raced = new AtomicBoolean();
            RacingProducer racing = new RacingProducer(config, () -> {
                if (raced.compareAndSet(false, true)) {
                    live.send(states.codec().record(key, 10)).get();
                }
            });
            try (NodeProducer producer = new NodeProducer(racing)) {
                int published = Spiller.reinject(dataDir, producer, states, Duration.ofMillis(100));
                assertThat(published).isEqualTo(1);
            }

            // Then the writer's last record, the one compaction keeps, says 10, not 7
            assertThat(raced).isTrue();
            assertThat(lastRecord(states.codec())).hasValue(10);
            assertThat(states.lastCommitted(key)).isEqualTo(10);
        }
    }

    @Test
    void aLiveCommitsStateRecordIsNeverBelowWhatTheNodeHasReadForTheWriter() throws Exception {
        String stateTopic = "__writer_states_race_live";
        try (WriterStates states = WriterStates.open(config, Clock.systemUTC(), topics, stateTopic, 100);
                KafkaProducer<byte[], byte[]> other = new KafkaProducer<>(KafkaClients.producer(config))) {
            // Given another session of the writer committed up to chunk 10, and this node has read it
            other.send(states.codec().record(key, 10)).get();
            assertThat(states.lastCommitted(key)).isEqualTo(10);

            // When an older session's commit of chunks up to 7 gets its state record now
            ProducerRecord<byte[], byte[]> record = states.record(key, 7);

            // Then it says 10: written after the other, it does not move the writer back
            assertThat(WriterStateCodec.seq(record.value())).hasValue(10);
            assertThat(WriterStateCodec.seq(states.record(key, 12).value())).hasValue(12);
            assertThat(WriterStateCodec.seq(states.record(new WriterKey("alice", "orders-race", "x"), 3)
                            .value()))
                    .hasValue(3);
        }
    }

    /** The seq of the last record of {@link #key} in its partition: what compaction keeps. */
    private OptionalLong lastRecord(WriterStateCodec codec) {
        Properties props = KafkaClients.consumer(config, "race-check", 500);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition partition = new TopicPartition(codec.topic(), codec.partition(key));
        OptionalLong last = OptionalLong.empty();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (java.util.Arrays.equals(record.key(), key.toBytes())) {
                        last = WriterStateCodec.seq(record.value());
                    }
                }
            }
        }
        return last;
    }

    private static ProducerRecord<byte[], byte[]> event(String payload) {
        return new ProducerRecord<>("orders-race", null, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A real producer that runs {@code beforeData} before it sends a record of the data topic. */
    private static final class RacingProducer extends KafkaProducer<byte[], byte[]> {
        private final ThrowingRunnable beforeData;

        RacingProducer(BackendConfig config, ThrowingRunnable beforeData) {
            super(KafkaClients.producer(config));
            this.beforeData = beforeData;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (record.topic().equals("orders-race")) {
                try {
                    beforeData.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return super.send(record, callback);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
