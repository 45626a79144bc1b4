package dev.switchboard.backend.internal;

import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A write session's publishes that Kafka has not yet answered, oldest first. Outcomes are reported to the
 * machine strictly in order: a later range is Published only after every earlier range succeeded, and the
 * first failure is PublishFailed (the machine rewinds; later ranges are forgotten and published again).
 * Only the session's serial queue calls it.
 */
final class PublishPipeline {
    private record InFlight(long from, long to, CompletableFuture<Void> done) {}

    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ChunkPublisher publisher;
    private final Duration maxWait;

    PublishPipeline(ChunkPublisher publisher, Duration maxWait) {
        this.publisher = publisher;
        this.maxWait = maxWait;
    }

    /**
     * Sends chunks {@code from..to} and the writer state record saying they are committed, as the session's
     * {@link ChunkPublisher} does (at-least-once: the state after the chunks; exactly-once: one transaction); the
     * publish succeeds when Kafka holds both. So the durable writer state is never ahead of Kafka, and a commit is
     * never answered before the state a re-allocation reads holds it. The state record is made when it is sent
     * ({@code writerState}), so it holds what the node knows then. Outcomes are reported by {@link #settle}.
     */
    void publish(
            long from,
            long to,
            List<ProducerRecord<byte[], byte[]>> records,
            Supplier<ProducerRecord<byte[], byte[]>> writerState) {
        inFlight.addLast(new InFlight(from, to, publisher.publish(records, writerState)));
    }

    /** Reports every finished publish at the head to the machine; the failure, if one was reported. */
    Optional<SwitchboardException> settle(Consumer<WriteMachine.Command> step) {
        while (!inFlight.isEmpty() && inFlight.peekFirst().done().isDone()) {
            Optional<SwitchboardException> failure = settleHead(step);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    /** The oldest publish Kafka has not answered yet, if any. */
    Optional<CompletableFuture<Void>> oldest() {
        return Optional.ofNullable(inFlight.peekFirst()).map(InFlight::done);
    }

    /** How long a commit waits for Kafka before answering UNAVAILABLE. */
    Duration maxWait() {
        return maxWait;
    }

    /** Forgets every publish in flight (after a rewind or on release); their outcomes no longer matter. */
    void clear() {
        inFlight.clear();
    }

    private Optional<SwitchboardException> settleHead(Consumer<WriteMachine.Command> step) {
        InFlight head = inFlight.removeFirst();
        Optional<Throwable> failure = failureOf(head.done());
        if (failure.isEmpty()) {
            step.accept(new WriteMachine.Published(head.to()));
            return Optional.empty();
        }
        step.accept(new WriteMachine.PublishFailed());
        return Optional.of(ProtocolErrors.publishFailure(failure.get()));
    }

    private static Optional<Throwable> failureOf(CompletableFuture<Void> done) {
        try {
            done.join();
            return Optional.empty();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return Optional.of(e.getCause() == null ? e : e.getCause());
        }
    }
}
