package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The compacted internal topic of wrapped data keys (one partition; record key = data key id), shared by every
 * node. {@link #publish} returns once the record is acknowledged by all in-sync replicas, so a data key is
 * readable by any node before the first record sealed under it is written. Not thread-safe: {@link DataKeys}
 * serialises access.
 */
final class KeysTopic implements DataKeyStore {
    private static final long TIMEOUT_MS = 15_000;

    private final String topic;
    private final TopicPartition partition;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;

    private KeysTopic(String topic, KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.producer = producer;
        this.consumer = consumer;
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Creates the topic when missing (compacted, one partition) and opens a producer and a consumer on it. */
    static KeysTopic open(BackendConfig config, TopicManager topics, String topic) {
        topics.ensure(topic, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        Properties producerProps = KafkaClients.producer(config);
        producerProps.put(
                ProducerConfig.CLIENT_ID_CONFIG, producerProps.get(ProducerConfig.CLIENT_ID_CONFIG) + "-keys");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        Properties consumerProps = KafkaClients.consumer(config, "keys", 500);
        consumerProps.put(
                ConsumerConfig.CLIENT_ID_CONFIG, consumerProps.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-keys");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps);
        try {
            return new KeysTopic(topic, producer, new KafkaConsumer<>(consumerProps));
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Writes one wrapped key and waits until Kafka acknowledged it. */
    @Override
    public void publish(String keyId, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, RecordCipher.bytes(keyId), value))
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish data key " + keyId + " to " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing data key " + keyId, e);
        }
    }

    /** Everything written since the last call (from the beginning on the first), up to the current end. */
    @Override
    public Map<String, byte[]> readToEnd() {
        Long end = consumer.endOffsets(List.of(partition)).get(partition);
        if (end == null) {
            throw new IllegalStateException("Kafka did not say where the keys topic " + topic + " ends");
        }
        Map<String, byte[]> entries = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (consumer.position(partition) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the keys topic " + topic + " in time");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.key() != null && record.value() != null) {
                    entries.put(RecordCipher.text(record.key()), record.value());
                }
            }
        }
        return entries;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(1)));
    }
}
