package dev.switchboard.backend.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How a write session puts a range of its chunks and the writer state record saying they are committed into
 * Kafka: {@link AtLeastOnce} through the node-wide idempotent producer (chunks, then the state record), or
 * {@link TransactionalPublisher} in one transaction of the writer's own producer.
 */
interface ChunkPublisher extends AutoCloseable {
    /**
     * Completes once Kafka holds the records and the state record; fails when it may hold neither. The state
     * record is made ({@code state}) only when it is about to be sent, after the chunks: it says the highest seq
     * known committed then, so a writer's record in the compacted topic never goes below one written before it.
     */
    CompletableFuture<Void> publish(
            List<ProducerRecord<byte[], byte[]>> records, Supplier<ProducerRecord<byte[], byte[]>> state);

    /** Releases what the writer holds; the node-wide producer stays open. */
    @Override
    void close();

    /**
     * At-least-once: the chunks first, and the state record only once Kafka acknowledged all of them and every
     * earlier range (its chunks and its state record), so the state is never ahead of Kafka and a writer's state
     * records reach Kafka in order (the compacted topic keeps the last one). A range after a failed one fails too:
     * the session rewinds and publishes them again. The state record is sent from {@code executor}, never from
     * the producer's I/O thread, where send may block. Only the session's serial queue calls it.
     */
    final class AtLeastOnce implements ChunkPublisher {
        private final NodeProducer publisher;
        private final java.util.concurrent.Executor executor;
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

        AtLeastOnce(NodeProducer publisher, java.util.concurrent.Executor executor) {
            this.publisher = publisher;
            this.executor = executor;
        }

        @Override
        public synchronized CompletableFuture<Void> publish(
                List<ProducerRecord<byte[], byte[]>> records, Supplier<ProducerRecord<byte[], byte[]>> state) {
            CompletableFuture<Void> previous =
                    tail.isCompletedExceptionally() ? CompletableFuture.completedFuture(null) : tail;
            CompletableFuture<Void> chunks = publisher.publish(records);
            tail = chunks.thenCombine(previous, (ignored, before) -> (Void) null)
                    .thenComposeAsync(ignored -> publisher.publish(List.of(state.get())), executor);
            return tail;
        }

        @Override
        public void close() {
            // the node owns the producer
        }
    }
}
