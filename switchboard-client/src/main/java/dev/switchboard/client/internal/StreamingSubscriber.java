package dev.switchboard.client.internal;

import dev.switchboard.client.Batch;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.core.session.Transition;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.tcp.TcpFrames;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Subscriber} by streaming delivery on the binary TCP transport (docs/protocol.md, "Streaming delivery"):
 * the API node reads on its behalf and pushes each batch with the cursor after it, up to a credit window; a poll
 * takes the next batch that arrived, and {@link #ack} saves that batch's cursor and returns its credit, without a
 * call. The delivery is {@link StreamDelivery}, a pure machine; this class runs its effects.
 *
 * <p>Implementation notes: every method holds {@code lock}, so calls are serialised; the connection's reader only
 * fills the stream's {@link StreamInbox}. A stream's session is ahead of the client (the node acknowledged its
 * batches to the backend as it pushed them), so a session serves one stream: when the stream ends (END, lost
 * connection, a broken rule) the next poll allocates a new session from the saved cursor and opens a new stream.
 * Batches that arrived and were not delivered are dropped with their stream and read again; the held batch keeps
 * its cursor, so acknowledging it after its stream ended loses nothing and repeats nothing. What is delivered again
 * is only what the polling subscriber delivers again: a batch the application never acknowledged. A stream that
 * keeps ending is opened again with the retry policy's backoff, within its budget, counted from the first end until a
 * stream delivers a batch or outlives a poll's wait; then the last error is thrown.
 */
final class StreamingSubscriber implements Subscriber {
    private static final Logger LOGGER = LoggerFactory.getLogger(StreamingSubscriber.class);

    private final Rpc rpc;
    private final SubscriberOptions options;
    private final Clock clock;
    private final Consumer<AutoCloseable> onClose;
    private final ReentrantLock lock = new ReentrantLock();

    private StreamDelivery.State<Stream, Batch> delivery = StreamDelivery.initial();
    private Optional<String> cursor;
    /** A session allocated and not streamed from yet (the first one, so that a subscriber starts with one). */
    private Optional<Session> unused;
    /** Streams have been ending since {@code budget} started, {@code reopened} times; empty once one delivers. */
    private Optional<Failing> failing = Optional.empty();

    private record Failing(Retrier.Budget budget, int reopened) {}

    /** A read session. */
    private record Session(String id, Limits limits) {}

    /** An open stream: its session, the largest batch it reads, and its two ends. */
    private record Stream(Session session, int maxEvents, Rpc.OpenStream ends) {}

    private StreamingSubscriber(Rpc rpc, SubscriberOptions options, Clock clock, Consumer<AutoCloseable> onClose)
            throws InterruptedException {
        this.rpc = rpc;
        this.options = options;
        this.clock = clock;
        this.onClose = onClose;
        this.cursor = options.cursorStore().load();
        this.unused = Optional.of(allocate());
    }

    /** Allocates the first session at once, so a wrong topic or missing permission shows here. */
    static StreamingSubscriber open(Rpc rpc, SubscriberOptions options, Clock clock, Consumer<AutoCloseable> onClose)
            throws InterruptedException {
        return new StreamingSubscriber(rpc, options, clock, onClose);
    }

    @Override
    public Batch poll() {
        return poll(options.maxEvents(), options.maxWait());
    }

    @Override
    public Batch poll(int maxEvents, Duration maxWait) {
        DefaultSubscriber.checkPoll(maxEvents, maxWait);
        lock.lock();
        try {
            requireOpen();
            held().ifPresent(held -> {
                throw new IllegalStateException(
                        "batch " + held.seq() + " (" + held.batch().size()
                                + " events) is not acknowledged yet; call ack(batch) before polling again");
            });
            return Interruptibly.call(() -> next(maxEvents, maxWait));
        } finally {
            lock.unlock();
        }
    }

    private Batch next(int maxEvents, Duration maxWait) throws InterruptedException {
        Instant deadline = clock.instant().plus(maxWait);
        Optional<Stream> atStart = stream(); // a stream that outlives this poll's wait is a healthy one
        while (true) {
            if (delivery instanceof StreamDelivery.Idle<Stream, Batch>) {
                openStream(maxEvents);
            }
            StreamDelivery.Open<Stream, Batch> open = (StreamDelivery.Open<Stream, Batch>) delivery;
            Optional<StreamInbox.Item> item =
                    open.stream().ends().inbox().take(Duration.between(clock.instant(), deadline));
            if (item.isEmpty()) {
                if (atStart.isPresent() && atStart.get() == open.stream()) {
                    failing = Optional.empty();
                }
                return Batch.empty();
            }
            try {
                Optional<Batch> batch = deliver(open, item.get(), maxEvents);
                if (batch.isPresent()) {
                    failing = Optional.empty();
                    return batch.get();
                }
            } catch (StreamEnded e) {
                afterLoss(e.error);
            }
        }
    }

    /**
     * After a stream ended with {@code error}: throws it unless another stream may carry on, or when streams have
     * kept ending for longer than the retry budget; else waits the policy's backoff (not before the first reopen).
     */
    private void afterLoss(SwitchboardClientException error) throws InterruptedException {
        if (!reopens(error)) {
            throw error;
        }
        if (failing.isEmpty()) {
            failing = Optional.of(new Failing(rpc.retrier().startBudget(), 0));
            return;
        }
        Failing now = failing.get();
        if (now.budget().spent()) {
            failing = Optional.empty();
            throw error;
        }
        failing = Optional.of(new Failing(now.budget(), now.reopened() + 1));
        rpc.retrier().pause(now.reopened() + 1);
    }

    /**
     * The batch {@code item} delivers, or none when it is larger than {@code maxEvents} (the stream was opened with
     * larger batches than this poll takes: it is ended, and the next one opened with the smaller size); {@link
     * StreamEnded} when the stream ended instead (it is then Idle).
     */
    private Optional<Batch> deliver(StreamDelivery.Open<Stream, Batch> open, StreamInbox.Item item, int maxEvents)
            throws StreamEnded {
        return switch (item) {
            case StreamInbox.Pushed pushed -> pushed(open, pushed.batch(), maxEvents);
            case StreamInbox.Ended ended -> throw lost(open, ended(ended.end()));
            case StreamInbox.Lost lost ->
                throw lost(
                        open,
                        new SwitchboardClientException(
                                ErrorCode.UNAVAILABLE, "the stream's connection was lost: " + lost.reason()));
        };
    }

    private Optional<Batch> pushed(StreamDelivery.Open<Stream, Batch> open, TcpFrames.StreamBatch pushed, int maxEvents)
            throws StreamEnded {
        Transition<StreamDelivery.State<Stream, Batch>, StreamDelivery.Effect> arrived =
                StreamDelivery.apply(delivery, new StreamDelivery.Arrived<>(pushed.seq()));
        Optional<String> outOfWindow = violation(arrived);
        if (outOfWindow.isPresent()) {
            throw broken(open, outOfWindow.get());
        }
        delivery = arrived.state();
        ReadResponse response = new ReadResponse();
        try {
            new TDeserializer(new TCompactProtocol.Factory()).deserialize(response, pushed.response());
        } catch (TException e) {
            throw broken(open, "batch " + pushed.seq() + " is not a readable ReadResponse: " + e.getMessage());
        }
        if (response.getSeq() != pushed.seq() || response.getEventsSize() == 0) {
            throw broken(
                    open,
                    "batch " + pushed.seq() + " carries batch " + response.getSeq() + " with "
                            + response.getEventsSize() + " events");
        }
        if (response.getEventsSize() > maxEvents) {
            LOGGER.debug(
                    "batch larger than this poll takes; opening a stream of smaller batches session={} events={} max={}",
                    session(open),
                    response.getEventsSize(),
                    maxEvents);
            step(new StreamDelivery.Abandon<>()); // the batch comes again, in smaller ones, from the cursor
            rpc.disposeQuietly(session(open));
            return Optional.empty();
        }
        List<ReceivedEvent> events =
                response.getEvents().stream().map(ThriftEvents::fromThrift).toList();
        Batch batch = new Batch(pushed.seq(), events);
        step(new StreamDelivery.Deliver<>(batch, pushed.seq(), pushed.cursor()));
        LOGGER.debug("batch delivered session={} seq={} events={}", session(open), pushed.seq(), events.size());
        return Optional.of(batch);
    }

    /** The server broke the stream's rules: the client ends it and reads again from its cursor. */
    private StreamEnded broken(StreamDelivery.Open<Stream, Batch> open, String reason) {
        LOGGER.warn("the server broke a stream's rules; opening another session={} reason={}", session(open), reason);
        step(new StreamDelivery.Abandon<>());
        rpc.disposeQuietly(session(open));
        // not the session's fault nor the application's: another stream carries on, within the retry budget
        return new StreamEnded(new SwitchboardClientException(
                ErrorCode.UNAVAILABLE, "the server broke the stream's rules: " + reason));
    }

    /** The stream ended by itself with {@code cause}; its session is released (it is ahead of the client). */
    private StreamEnded lost(StreamDelivery.Open<Stream, Batch> open, SwitchboardClientException cause) {
        LOGGER.info(
                "stream ended; reading on from the last cursor topic={} session={} code={} reason={}",
                options.topic(),
                session(open),
                cause.code(),
                cause.getMessage());
        step(new StreamDelivery.Lost<>());
        Failover.reader(options.topic(), cause.code().name());
        if (cause.code() != ErrorCode.SESSION_LOST) {
            rpc.disposeQuietly(session(open)); // the node disposes it too; one it refused at once it may not
        }
        return new StreamEnded(cause);
    }

    private static SwitchboardClientException ended(TcpFrames.StreamEnd end) {
        ErrorCode code = end.code().orElse(ErrorCode.UNAVAILABLE); // ended "as asked" without being asked
        return new SwitchboardClientException(code, "stream ended: " + end.text());
    }

    /**
     * Whether a stream that ended with {@code cause} is opened again: a lost session, a busy or unavailable node, a
     * lost connection, a broken stream; not an answer another session would get too (UNAUTHENTICATED, INTERNAL, ...).
     */
    private static boolean reopens(SwitchboardClientException cause) {
        return SessionErrors.needsNewSession(cause) || cause.code().retriable();
    }

    /** Allocates a session unless one is unused, and opens a stream on it from its first batch. */
    private void openStream(int maxEvents) throws InterruptedException {
        Session session = unused.isPresent() ? unused.get() : allocate();
        unused = Optional.empty();
        int events = Math.min(maxEvents, session.limits().getMaxEventsPerRead());
        ReadRequest first = new ReadRequest(session.id(), 1)
                .setMaxEvents(events)
                .setMaxBytes(session.limits().getMaxBytesPerRead())
                .setMaxWaitMs(session.limits().getMaxWaitMs());
        Rpc.OpenStream ends;
        try {
            ends = rpc.stream(first, options.streamWindow());
        } catch (SwitchboardClientException | InterruptedException e) {
            unused = Optional.of(session); // not streamed from: the next poll tries it again
            throw e;
        }
        step(new StreamDelivery.Opened<>(new Stream(session, events, ends), options.streamWindow()));
        LOGGER.debug(
                "stream opened topic={} session={} window={}", options.topic(), session.id(), options.streamWindow());
    }

    private Session allocate() throws InterruptedException {
        AllocateRequest request = new AllocateRequest(options.topic(), SessionMode.READ);
        cursor.ifPresentOrElse(request::setCursor, () -> DefaultSubscriber.setStart(request, options.start()));
        AllocateResponse answer = rpc.allocate(request);
        if (cursor.isEmpty() && answer.isSetCursor()) {
            cursor = Optional.of(answer.getCursor()); // pin the start, so a new session does not move it
        }
        LOGGER.info(
                "read session allocated topic={} session={} resumed={} streaming=true",
                options.topic(),
                answer.getSessionId(),
                request.isSetCursor());
        return new Session(answer.getSessionId(), answer.getLimits());
    }

    @Override
    public void ack(Batch batch) {
        Objects.requireNonNull(batch, "batch");
        lock.lock();
        try {
            requireOpen();
            if (batch.isEmpty()) {
                return;
            }
            if (step(new StreamDelivery.Ack<>(batch)).isEmpty()) {
                LOGGER.debug("ack ignored: batch already acknowledged or replaced seq={}", batch.seq());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Applies {@code command} and runs its effects; returns them. A violation is for the caller (Arrived only). */
    private List<StreamDelivery.Effect> step(StreamDelivery.Command<Stream, Batch> command) {
        StreamDelivery.State<Stream, Batch> before = delivery;
        Transition<StreamDelivery.State<Stream, Batch>, StreamDelivery.Effect> step =
                StreamDelivery.apply(before, command);
        delivery = step.state();
        Optional<Stream> stream = before instanceof StreamDelivery.Open<Stream, Batch> open
                ? Optional.of(open.stream())
                : Optional.empty();
        for (StreamDelivery.Effect effect : step.effects()) {
            switch (effect) {
                case StreamDelivery.Save save -> {
                    cursor = Optional.of(save.cursor());
                    options.cursorStore().save(save.cursor());
                }
                case StreamDelivery.Credit credit ->
                    stream.ifPresent(open -> open.ends().link().credit(credit.seq()));
                case StreamDelivery.Cancel cancel ->
                    stream.ifPresent(open -> open.ends().link().cancel());
                case StreamDelivery.Violation violation ->
                    throw new IllegalStateException(
                            "the subscriber's stream refused " + command + ": " + violation.reason());
                case StreamDelivery.Accept accept -> {}
                case StreamDelivery.Drop drop -> {} // the inbox goes with its stream
            }
        }
        return step.effects();
    }

    private static Optional<String> violation(
            Transition<StreamDelivery.State<Stream, Batch>, StreamDelivery.Effect> transition) {
        return transition.effects().stream()
                .filter(StreamDelivery.Violation.class::isInstance)
                .map(effect -> ((StreamDelivery.Violation) effect).reason())
                .findFirst();
    }

    private Optional<StreamDelivery.Held<Batch>> held() {
        return switch (delivery) {
            case StreamDelivery.Idle<Stream, Batch> idle -> idle.held();
            case StreamDelivery.Open<Stream, Batch> open -> open.held();
            case StreamDelivery.Closed<Stream, Batch> closed -> Optional.empty();
        };
    }

    private Optional<Stream> stream() {
        return delivery instanceof StreamDelivery.Open<Stream, Batch> open
                ? Optional.of(open.stream())
                : Optional.empty();
    }

    private static String session(StreamDelivery.Open<Stream, Batch> open) {
        return open.stream().session().id();
    }

    @Override
    public Optional<String> cursor() {
        lock.lock();
        try {
            return cursor;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (delivery instanceof StreamDelivery.Closed<Stream, Batch>) {
                return;
            }
            step(new StreamDelivery.Close<>()); // an open stream is cancelled; the node disposes its session
            unused.ifPresent(session -> rpc.disposeQuietly(session.id()));
            unused = Optional.empty();
            LOGGER.info("streaming subscriber closed topic={}", options.topic());
        } finally {
            lock.unlock();
            onClose.accept(this);
        }
    }

    private void requireOpen() {
        if (delivery instanceof StreamDelivery.Closed<Stream, Batch>) {
            throw new IllegalStateException("the subscriber is closed");
        }
    }

    /** How a stream ended, carried out of the delivery step. */
    private static final class StreamEnded extends Exception {
        private final SwitchboardClientException error;

        StreamEnded(SwitchboardClientException error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }
}
