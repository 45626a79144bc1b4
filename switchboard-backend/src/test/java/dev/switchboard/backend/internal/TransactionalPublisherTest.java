package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once writer's transactions, with Kafka's own MockProducer (transactional) standing in for the broker
 * so that fencing and failed commits can be produced on demand. The real thing, killed under load, is in
 * LocalClusterIT.
 */
class TransactionalPublisherTest {
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final WriterStateCodec codec = new WriterStateCodec("__switchboard_writers", 3);
    private final WriterKey key = new WriterKey("alice", "orders", "w");
    private final AtomicInteger released = new AtomicInteger();
    private final TransactionalPublisher publisher;

    TransactionalPublisherTest() {
        producer.initTransactions();
        publisher = new TransactionalPublisher(
                TransactionalPublisher.transactionalId(key),
                producer,
                task -> Thread.ofVirtual().start(task),
                released::incrementAndGet);
    }

    private static List<ProducerRecord<byte[], byte[]>> chunk(String... payloads) {
        return java.util.Arrays.stream(payloads)
                .map(payload -> new ProducerRecord<byte[], byte[]>("orders", payload.getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    @Test
    void theChunksAndTheWriterStateCommitInOneTransaction() {
        // when two ranges of chunks are published
        publisher.publish(chunk("a", "b"), () -> codec.record(key, 1)).join();
        publisher.publish(chunk("c"), () -> codec.record(key, 2)).join();

        // then each range and its state record were committed together, in order
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.commitCount()).isEqualTo(2);
        assertThat(producer.history())
                .extracting(ProducerRecord::topic)
                .containsExactly("orders", "orders", "__switchboard_writers", "orders", "__switchboard_writers");
    }

    @Test
    void aFencedProducerEndsTheSessionAndNoLaterTransactionRuns() {
        // given a producer another session of the writer fenced
        producer.fenceProducer();

        // when the session publishes, twice
        CompletableFuture<Void> first = publisher.publish(chunk("a"), () -> codec.record(key, 1));
        CompletableFuture<Void> second = publisher.publish(chunk("b"), () -> codec.record(key, 2));

        // then both fail as a lost session, and nothing reached Kafka
        assertLost(first, "fenced");
        assertLost(second, "");
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aFailedCommitAbortsAndEndsTheSession() {
        // given Kafka fails the commit of the transaction
        producer.commitTransactionException = new KafkaException("broker gone");

        // when
        CompletableFuture<Void> failed = publisher.publish(chunk("a"), () -> codec.record(key, 1));

        // then the transaction was aborted (nothing of it visible) and every later publish fails too
        assertLost(failed, "transaction failed");
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        producer.commitTransactionException = null;
        assertLost(publisher.publish(chunk("b"), () -> codec.record(key, 2)), "");
    }

    @Test
    void closingReleasesTheSlotOnceAndEndsTheSession() {
        publisher.close();
        publisher.close();

        assertThat(released).hasValue(1);
        assertThat(producer.closed()).isTrue();
        assertLost(publisher.publish(chunk("a"), () -> codec.record(key, 1)), "closed");
    }

    @Test
    void everyNodeDerivesTheSameTransactionalIdFromTheWriterKeyAndNoOtherWriterShares_it() {
        assertThat(TransactionalPublisher.transactionalId(new WriterKey("alice", "orders", "w")))
                .isEqualTo(TransactionalPublisher.transactionalId(key))
                .startsWith("sb-w-")
                .hasSize(5 + 64);
        assertThat(TransactionalPublisher.transactionalId(new WriterKey("bob", "orders", "w")))
                .isNotEqualTo(TransactionalPublisher.transactionalId(key));
        assertThat(TransactionalPublisher.transactionalId(new WriterKey("alice", "orders2", "w")))
                .isNotEqualTo(TransactionalPublisher.transactionalId(key));
    }

    private static void assertLost(CompletableFuture<Void> future, String messagePart) {
        assertThatThrownBy(future::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(SwitchboardException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SESSION_LOST);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }
}
