package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer of one exactly-once writer. Its {@code transactional.id} is derived from the writer key, so every
 * node derives the same one: opening it ({@code initTransactions}) fences any older producer of the writer on any
 * node (Kafka aborts, or finishes, that producer's open transaction), after which the writer state is the truth.
 *
 * <p>Each publish is one transaction: a range of chunks and the writer state record saying they are committed,
 * so both are in Kafka or neither is. Transactions run one at a time, in order, on {@code executor}; after one
 * fails no later one runs, and every later publish fails too: the producer may be fenced or in doubt, so the
 * session is over (SESSION_LOST) and the client allocates again, which fences this producer and reads the state.
 */
final class TransactionalPublisher implements ChunkPublisher {
    private static final Logger LOGGER = LoggerFactory.getLogger(TransactionalPublisher.class);

    private sealed interface State {}

    private record Ready() implements State {}

    private record Broken(String reason) implements State {}

    private record Closed() implements State {}

    private final String transactionalId;
    private final Producer<byte[], byte[]> producer;
    private final Executor executor;
    private final Runnable release;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private State state = new Ready();

    TransactionalPublisher(
            String transactionalId, Producer<byte[], byte[]> producer, Executor executor, Runnable release) {
        this.transactionalId = transactionalId;
        this.producer = producer;
        this.executor = executor;
        this.release = release;
    }

    /**
     * Opens the writer's producer and fences every older one; {@code release} runs once when it is closed (or
     * when opening fails).
     */
    static TransactionalPublisher open(BackendConfig config, WriterKey key, Executor executor, Runnable release) {
        String id = transactionalId(key);
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(KafkaClients.transactionalProducer(config, id));
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            release.run();
            throw e;
        }
        LOGGER.debug("transactional producer opened transactional-id={} writer={}", id, key.writerId());
        return new TransactionalPublisher(id, producer, executor, release);
    }

    /** {@code sb-w-} and the SHA-256 of the writer key: the same on every node, and no longer than it needs. */
    static String transactionalId(WriterKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toBytes());
            return "sb-w-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    String transactionalId() {
        return transactionalId;
    }

    @Override
    public synchronized CompletableFuture<Void> publish(
            List<ProducerRecord<byte[], byte[]>> records, Supplier<ProducerRecord<byte[], byte[]>> writerState) {
        // chained: a transaction starts only after the previous one committed, and never after one failed
        tail = tail.thenRunAsync(() -> transaction(records, writerState), executor);
        return tail;
    }

    private void transaction(
            List<ProducerRecord<byte[], byte[]>> records, Supplier<ProducerRecord<byte[], byte[]>> writerState) {
        State now = current();
        if (!(now instanceof Ready)) {
            throw lost(now);
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.send(writerState.get());
            // flushes, and fails when any send failed: then nothing of the transaction is visible
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw lost(broken("another session of this writer took over (this producer is fenced)"));
        } catch (RuntimeException e) {
            LOGGER.warn("exactly-once transaction failed transactional-id={} error={}", transactionalId, e.toString());
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailed) {
                // in doubt: the next producer of this writer fences this one and decides the transaction
            }
            throw lost(broken("the writer's transaction failed: " + e.getClass().getSimpleName()));
        }
    }

    private synchronized State current() {
        return state;
    }

    private synchronized State broken(String reason) {
        if (state instanceof Ready) {
            state = new Broken(reason);
        }
        return state;
    }

    private static SwitchboardException lost(State state) {
        String reason = switch (state) {
            case Broken broken -> broken.reason();
            case Closed closed -> "the session is closed";
            case Ready ready -> "unexpected";
        };
        return SwitchboardException.of(
                ErrorCode.SESSION_LOST, "exactly-once session ended: " + reason + "; allocate the writer again");
    }

    /** Closes the producer (an open transaction is left to Kafka: the next producer of the writer aborts it). */
    @Override
    public void close() {
        synchronized (this) {
            if (state instanceof Closed) {
                return;
            }
            state = new Closed();
        }
        try {
            producer.close(Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            LOGGER.warn("closing a transactional producer failed transactional-id={}", transactionalId, e);
        } finally {
            release.run();
        }
    }
}
