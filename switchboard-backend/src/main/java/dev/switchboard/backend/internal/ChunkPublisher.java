package dev.switchboard.backend.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How a write session puts a range of its chunks and the writer state record saying they are committed into
 * Kafka: {@link AtLeastOnce} through the node-wide idempotent producer (chunks, then the state record), or
 * {@link TransactionalPublisher} in one transaction of the writer's own producer.
 */
interface ChunkPublisher extends AutoCloseable {
    /** Completes once Kafka holds the records and the state record; fails when it may hold neither. */
    CompletableFuture<Void> publish(List<ProducerRecord<byte[], byte[]>> records, ProducerRecord<byte[], byte[]> state);

    /** Releases what the writer holds; the node-wide producer stays open. */
    @Override
    void close();

    /**
     * At-least-once: the chunks first, and the state record only once Kafka acknowledged all of them, so the
     * state is never ahead of Kafka. The state record is sent from {@code executor}, never from the producer's
     * I/O thread, where send may block.
     */
    record AtLeastOnce(Publisher publisher, java.util.concurrent.Executor executor) implements ChunkPublisher {
        @Override
        public CompletableFuture<Void> publish(
                List<ProducerRecord<byte[], byte[]>> records, ProducerRecord<byte[], byte[]> state) {
            return publisher.publish(records).thenComposeAsync(ignored -> publisher.publish(List.of(state)), executor);
        }

        @Override
        public void close() {
            // the node owns the producer
        }
    }
}
