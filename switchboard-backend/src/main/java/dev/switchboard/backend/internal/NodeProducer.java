package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-wide idempotent producer (acks=all) shared by every write session. {@link #publish} sends records
 * in order and completes once Kafka acknowledged all of them, or fails with the first error.
 */
public final class NodeProducer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(NodeProducer.class);

    private final Producer<byte[], byte[]> producer;
    private final BackendMetrics metrics;

    NodeProducer(Producer<byte[], byte[]> producer) {
        this(producer, BackendMetrics.none());
    }

    NodeProducer(Producer<byte[], byte[]> producer, BackendMetrics metrics) {
        this.producer = producer;
        this.metrics = metrics;
    }

    public static NodeProducer create(BackendConfig config, BackendMetrics metrics) {
        NodeProducer publisher = new NodeProducer(new KafkaProducer<>(KafkaClients.producer(config)), metrics);
        metrics.bindProducer(publisher.producer);
        return publisher;
    }

    /** Sends {@code records} in order; the future completes when every one is acknowledged. */
    CompletableFuture<Void> publish(List<ProducerRecord<byte[], byte[]>> records) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (records.isEmpty()) {
            done.complete(null);
            return done;
        }
        AtomicInteger outstanding = new AtomicInteger(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            try {
                producer.send(record, (metadata, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else if (outstanding.decrementAndGet() == 0) {
                        countWritten(records);
                        done.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                // send() itself failed (producer closed, interrupted): the rest would fail alike
                done.completeExceptionally(e);
                break;
            }
        }
        return done;
    }

    private void countWritten(List<ProducerRecord<byte[], byte[]>> records) {
        long bytes = 0;
        for (ProducerRecord<byte[], byte[]> record : records) {
            bytes += record.value() == null ? 0 : record.value().length;
        }
        // a chunk's records all go to one topic
        metrics.written(records.get(0).topic(), records.size(), bytes);
    }

    /** Flushes what is in flight for at most {@code timeout}, then closes; unsent records fail. */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    public void close(Duration timeout) {
        try {
            producer.close(timeout);
        } catch (RuntimeException e) {
            LOGGER.warn("producer close failed", e);
        }
    }
}
