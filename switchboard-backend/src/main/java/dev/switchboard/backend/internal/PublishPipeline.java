package dev.switchboard.backend.internal;

import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
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
    private final Publisher publisher;
    private final Duration maxWait;

    PublishPipeline(Publisher publisher, Duration maxWait) {
        this.publisher = publisher;
        this.maxWait = maxWait;
    }

    /** Sends chunks {@code from..to}; their outcome is reported by {@link #settle} or {@link #await}. */
    void publish(long from, long to, List<ProducerRecord<byte[], byte[]>> records) {
        inFlight.addLast(new InFlight(from, to, publisher.publish(records)));
    }

    /** Reports every finished publish at the head to the machine; the failure, if one was reported. */
    Optional<SwitchboardException> settle(Function<WriteMachine.Command, ?> step) {
        while (!inFlight.isEmpty() && inFlight.peekFirst().done().isDone()) {
            Optional<SwitchboardException> failure = settleHead(step);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    /**
     * Waits, up to max-wait, until {@code committed} reaches {@code seq}, reporting outcomes as they come.
     * Throws UNAVAILABLE when Kafka failed or did not answer in time (the publish stays in flight then).
     */
    void await(long seq, Function<WriteMachine.Command, ?> step, LongSupplier committed) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (committed.getAsLong() < seq) {
            InFlight head = inFlight.peekFirst();
            if (head == null) {
                throw SwitchboardException.of(ErrorCode.INTERNAL, "commit " + seq + " has nothing in flight");
            }
            waitFor(head.done(), deadline);
            Optional<SwitchboardException> failure = settleHead(step);
            if (failure.isPresent()) {
                throw failure.get();
            }
        }
    }

    /** Forgets every publish in flight (after a rewind or on release); their outcomes no longer matter. */
    void clear() {
        inFlight.clear();
    }

    private Optional<SwitchboardException> settleHead(Function<WriteMachine.Command, ?> step) {
        InFlight head = inFlight.removeFirst();
        Optional<Throwable> failure = failureOf(head.done());
        if (failure.isEmpty()) {
            step.apply(new WriteMachine.Published(head.to()));
            return Optional.empty();
        }
        step.apply(new WriteMachine.PublishFailed());
        return Optional.of(KafkaErrors.publishFailure(failure.get()));
    }

    private static void waitFor(CompletableFuture<Void> done, long deadline) {
        try {
            done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // reported by settleHead
        } catch (TimeoutException e) {
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE, "Kafka has not acknowledged the chunks within max-wait; commit again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "interrupted while waiting for Kafka");
        }
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
