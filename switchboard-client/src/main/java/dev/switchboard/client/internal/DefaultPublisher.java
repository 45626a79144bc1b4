package dev.switchboard.client.internal;

import dev.switchboard.client.Durability;
import dev.switchboard.client.Event;
import dev.switchboard.client.PublishResult;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Publisher}: the public face of a {@link WritePipeline} running on one virtual thread, plus the buffer
 * behind {@link #send}. Buffered events go out as a publish of {@code chunkEvents} events; at most
 * {@code window} such publishes are outstanding before {@link #send} waits for the oldest (back-pressure).
 */
final class DefaultPublisher implements Publisher {
    private static final Logger LOGGER = LoggerFactory.getLogger(DefaultPublisher.class);
    private static final Executor CALLBACKS =
            command -> Thread.ofVirtual().name("switchboard-callback").start(command);

    private final Rpc rpc;
    private final PublisherOptions options;
    private final String writerId;
    private final WritePipeline pipeline;
    private final Thread worker;
    private final Consumer<AutoCloseable> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final List<Event> buffer = new ArrayList<>();
    private final ArrayDeque<CompletableFuture<PublishResult>> sent = new ArrayDeque<>();

    private DefaultPublisher(Rpc rpc, PublisherOptions options, Consumer<AutoCloseable> onClose)
            throws InterruptedException {
        this.rpc = rpc;
        this.options = options;
        this.onClose = onClose;
        this.writerId = options.writerId().orElseGet(() -> UUID.randomUUID().toString());
        this.pipeline = new WritePipeline(rpc, options, writerId);
        this.worker =
                Thread.ofVirtual().name("switchboard-publisher-" + writerId).start(pipeline);
    }

    /** Allocates the write session at once, so a wrong topic or missing permission shows here. */
    static DefaultPublisher open(Rpc rpc, PublisherOptions options, Consumer<AutoCloseable> onClose)
            throws InterruptedException {
        return new DefaultPublisher(rpc, options, onClose);
    }

    @Override
    public String writerId() {
        return writerId;
    }

    @Override
    public long startedAfterChunk() {
        return pipeline.startedAfterChunk();
    }

    @Override
    public long committedEvents() {
        return pipeline.committedEvents();
    }

    @Override
    public PublishResult publish(List<Event> events) {
        return await(publishAsync(events));
    }

    @Override
    public CompletableFuture<PublishResult> publishAsync(List<Event> events) {
        Objects.requireNonNull(events, "events");
        requireOpen();
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(new PublishResult(0, Durability.REPLICATED));
        }
        // A separate future completed from a fresh virtual thread: the application cannot disturb the pipeline by
        // completing it, and its callbacks never run on (and never block) the publisher's own threads.
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        pipeline.submit(events)
                .future()
                .whenCompleteAsync(
                        (done, failure) -> {
                            if (failure == null) {
                                result.complete(done);
                            } else {
                                result.completeExceptionally(failure);
                            }
                        },
                        CALLBACKS);
        return result;
    }

    @Override
    public void send(Event event) {
        Objects.requireNonNull(event, "event");
        sendLock.lock();
        try {
            requireOpen();
            buffer.add(event);
            if (buffer.size() >= options.chunkEvents()) {
                submitBuffer();
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** sendLock held. */
    private void submitBuffer() {
        sent.addLast(pipeline.submit(List.copyOf(buffer)).future());
        buffer.clear();
        sent.removeIf(future -> future.isDone() && !future.isCompletedExceptionally());
        int limit = Math.max(2, pipeline.window());
        while (sent.stream().filter(future -> !future.isDone()).count() > limit) {
            CompletableFuture<PublishResult> oldest =
                    sent.stream().filter(future -> !future.isDone()).findFirst().orElseThrow();
            try {
                oldest.get();
            } catch (InterruptedException e) {
                throw Interruptibly.interrupted(e);
            } catch (ExecutionException e) {
                // kept in sent: flush() reports it
            }
        }
    }

    @Override
    public void flush() {
        requireOpen();
        flushBuffered();
    }

    private void flushBuffered() {
        List<CompletableFuture<PublishResult>> waiting;
        sendLock.lock();
        try {
            if (!buffer.isEmpty()) {
                submitBuffer();
            }
            waiting = List.copyOf(sent);
            sent.clear();
        } finally {
            sendLock.unlock();
        }
        RuntimeException first = null;
        for (CompletableFuture<PublishResult> future : waiting) {
            try {
                await(future);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            flushBuffered();
        } finally {
            String sessionId = pipeline.stop();
            Interruptibly.run(worker::join);
            rpc.disposeQuietly(sessionId);
            LOGGER.info("publisher closed topic={} writer={}", options.topic(), writerId);
            onClose.accept(this);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the publisher is closed");
        }
    }

    /** Waits for {@code future}; a failure is rethrown with this thread's stack and the original as cause. */
    private static PublishResult await(CompletableFuture<PublishResult> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            throw Interruptibly.interrupted(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SwitchboardClientException failure) {
                throw new SwitchboardClientException(failure.code(), failure.getMessage(), failure);
            }
            throw new SwitchboardClientException(ErrorCode.INTERNAL, "publish failed: " + e.getCause(), e);
        }
    }
}
