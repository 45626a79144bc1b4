package dev.switchboard.client.internal;

import dev.switchboard.client.Batch;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.core.session.ReadDelivery;
import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Subscriber} over one read session at a time, mirroring the backend with {@link ReadMachine}.
 *
 * <p>Implementation notes: every method holds {@code lock}, so calls are serialised. {@code delivery} is the
 * mirror with the delivered batch not yet acknowledged ({@link ReadDelivery.Holding}, by identity); an
 * acknowledgement moves it only once the backend answered it, and a new session starts it afresh (and delivers
 * the batch again, from {@code cursor}). {@code cursor} is the last acknowledged position (also saved to the
 * store) or the position the first session started at, so a new session never skips an unacknowledged event.
 *
 * <p>With {@code ackOnPoll} (the default) {@link #ack} only marks the held batch ({@code ackPending}): its ack rides
 * on the next read ({@link ReadMachine.AckAndRead}, one call per batch), or is sent by {@link #close}. A node that
 * does not take an ack on a read (older than the field) refuses that read as OUT_OF_SEQUENCE: the ack is then sent
 * on its own, and so is every later one ({@code ridesAck} false).
 */
final class DefaultSubscriber implements Subscriber {
    private static final Logger LOGGER = LoggerFactory.getLogger(DefaultSubscriber.class);

    private final Rpc rpc;
    private final SubscriberOptions options;
    private final Clock clock;
    private final Consumer<AutoCloseable> onClose;
    private final ReentrantLock lock = new ReentrantLock();

    private ReadDelivery.State<Batch> delivery = ReadDelivery.initial();
    private ReadSession session;
    private Optional<String> cursor;
    /** The application acknowledged the held batch; the ack is still to be sent (on the next read, or by close). */
    private boolean ackPending;
    /** Acks ride on reads: the options ask for it and no node has refused it. */
    private boolean ridesAck;

    /** The session this subscriber reads through. */
    private record ReadSession(String id, Limits limits) {}

    /** Allocates the first session at once, so that a subscriber always has one. */
    private DefaultSubscriber(Rpc rpc, SubscriberOptions options, Clock clock, Consumer<AutoCloseable> onClose)
            throws InterruptedException {
        this.rpc = rpc;
        this.options = options;
        this.clock = clock;
        this.onClose = onClose;
        this.cursor = options.cursorStore().load();
        this.ridesAck = options.ackOnPoll();
        allocate();
    }

    /** Allocates the first session at once, so a wrong topic or missing permission shows here. */
    static DefaultSubscriber open(Rpc rpc, SubscriberOptions options, Clock clock, Consumer<AutoCloseable> onClose)
            throws InterruptedException {
        return new DefaultSubscriber(rpc, options, clock, onClose);
    }

    @Override
    public Batch poll() {
        return poll(options.maxEvents(), options.maxWait());
    }

    @Override
    public Batch poll(int maxEvents, Duration maxWait) {
        checkPoll(maxEvents, maxWait);
        lock.lock();
        try {
            requireOpen();
            if (delivery instanceof ReadDelivery.Holding<Batch> holding && !ackPending) {
                throw new IllegalStateException("batch " + holding.batch().seq() + " ("
                        + holding.batch().size()
                        + " events) is not acknowledged yet; call ack(batch) before polling again");
            }
            return Interruptibly.call(() -> fetch(maxEvents, maxWait));
        } finally {
            lock.unlock();
        }
    }

    private Batch fetch(int maxEvents, Duration maxWait) throws InterruptedException {
        Instant deadline = clock.instant().plus(maxWait);
        Retrier.Budget budget = null; // starts with the first lost session of this poll
        int newSessions = 0;
        while (true) {
            if (!ridesAck && acking().isPresent()) {
                acknowledge(acking().get()); // a node that does not take it on a read: on its own
                continue;
            }
            Optional<Batch> acking = acking();
            long seq;
            ReadDelivery.State<Batch> afterAck; // the mirror once the backend confirmed the ack riding on this read
            if (acking.isPresent()) {
                long acked = acking.get().seq();
                seq = acked + 1;
                afterAck = Mirror.accepted(
                        ReadDelivery.apply(delivery, new ReadMachine.AckAndRead(acked, seq)), "ack and read " + seq);
            } else if (delivery instanceof ReadDelivery.Waiting<Batch> waiting) {
                seq = waiting.machine().nextSeq();
                delivery = Mirror.accepted(ReadDelivery.apply(delivery, new ReadMachine.Read(seq)), "read " + seq);
                afterAck = delivery;
            } else {
                throw new IllegalStateException("the subscriber's mirror holds no place to read from: " + delivery);
            }
            Duration wait = longPoll(Duration.between(clock.instant(), deadline));
            ReadRequest request = readRequest(seq, maxEvents, wait);
            acking.ifPresent(batch -> request.setAckSeq(batch.seq()));
            ReadResponse answer;
            try {
                answer = rpc.read(request, wait);
            } catch (SwitchboardClientException e) {
                if (acking.isPresent() && e.code() == ErrorCode.OUT_OF_SEQUENCE) {
                    // a node older than ReadRequest.ackSeq read past it: acknowledge on its own from now on
                    LOGGER.info(
                            "the node does not take an ack on a read; acknowledging apart session={}", session.id());
                    ridesAck = false;
                    continue; // acknowledged on its own at the top of the loop
                }
                if (!SessionErrors.needsNewSession(e) || (budget != null && budget.spent())) {
                    throw e;
                }
                if (acking.isPresent() && e.code() == ErrorCode.DRAINING) {
                    // a draining node still takes acks: the new session then starts after the batch
                    acknowledgeOrLog(acking.get(), "the draining session did not take the ack");
                }
                if (budget == null) {
                    budget = rpc.retrier().startBudget();
                } else {
                    rpc.retrier().pause(newSessions);
                }
                newSessions++;
                if (delivery instanceof ReadDelivery.Holding<Batch> held) {
                    LOGGER.info(
                            "batch not acknowledged before the session ended; it will be delivered again seq={}",
                            held.batch().seq());
                }
                replaceSession(e); // a batch still held, acknowledged or not, is delivered again
                continue;
            }
            if (acking.isPresent()) {
                if (!answer.isSetAck()) {
                    throw new SwitchboardClientException(
                            ErrorCode.INTERNAL,
                            "the server read batch " + seq + " but did not answer the ack riding on it");
                }
                acknowledged(acking.get(), afterAck, answer.getAck());
            }
            if (answer.getSeq() != seq) {
                throw new SwitchboardClientException(
                        ErrorCode.INTERNAL, "asked for batch " + seq + " and got batch " + answer.getSeq());
            }
            if (!answer.getEvents().isEmpty()) {
                List<ReceivedEvent> events = answer.getEvents().stream()
                        .map(ThriftEvents::fromThrift)
                        .toList();
                Batch batch = new Batch(seq, events);
                delivery = Mirror.accepted(ReadDelivery.fetched(delivery, seq, batch), "batch " + seq);
                LOGGER.debug("batch delivered session={} seq={} events={}", session.id(), seq, events.size());
                return batch;
            }
            if (!clock.instant().isBefore(deadline)) {
                return Batch.empty();
            }
        }
    }

    private ReadRequest readRequest(long seq, int maxEvents, Duration wait) {
        Limits limits = session.limits();
        return new ReadRequest(session.id(), seq)
                .setMaxEvents(Math.min(maxEvents, limits.getMaxEventsPerRead()))
                .setMaxBytes(limits.getMaxBytesPerRead())
                .setMaxWaitMs((int) wait.toMillis());
    }

    /** The wait for one read: what is left of the poll's wait, within what the session allows. */
    private Duration longPoll(Duration left) {
        Duration allowed = Duration.ofMillis(Math.max(0, session.limits().getMaxWaitMs()));
        Duration wait = left.isNegative() ? Duration.ZERO : left;
        return wait.compareTo(allowed) > 0 ? allowed : wait;
    }

    /** The held batch whose ack rides on the next read, when the application acknowledged it. */
    private Optional<Batch> acking() {
        return ackPending && delivery instanceof ReadDelivery.Holding<Batch> holding
                ? Optional.of(holding.batch())
                : Optional.empty();
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
            if (!(delivery instanceof ReadDelivery.Holding<Batch> holding) || holding.batch() != batch || ackPending) {
                LOGGER.debug("ack ignored: batch already acknowledged or replaced seq={}", batch.seq());
                return;
            }
            if (ridesAck) {
                ackPending = true; // sent with the next read, or by close
                return;
            }
            Interruptibly.run(() -> acknowledge(batch));
        } finally {
            lock.unlock();
        }
    }

    /** Sends the ack of the held {@code batch} on its own. */
    private void acknowledge(Batch batch) throws InterruptedException {
        // the mirror moves once the backend answered: until then the batch stays held, to be acknowledged again
        ReadDelivery.State<Batch> acknowledged =
                Mirror.accepted(ReadDelivery.apply(delivery, new ReadMachine.Ack(batch.seq())), "ack " + batch.seq());
        AckResponse answer;
        try {
            answer = rpc.ack(new AckRequest(session.id(), batch.seq()));
        } catch (SwitchboardClientException e) {
            if (!SessionErrors.needsNewSession(e)) {
                throw e; // still held: the application may acknowledge again
            }
            replaceSession(e);
            LOGGER.info(
                    "batch not acknowledged before the session ended; it will be delivered again seq={}", batch.seq());
            return;
        }
        acknowledged(batch, acknowledged, answer);
    }

    /** Sends the ack of the held {@code batch} once; a failure only means the batch is delivered again. */
    private void acknowledgeOrLog(Batch batch, String failure) throws InterruptedException {
        ReadDelivery.State<Batch> acknowledged =
                Mirror.accepted(ReadDelivery.apply(delivery, new ReadMachine.Ack(batch.seq())), "ack " + batch.seq());
        try {
            acknowledged(batch, acknowledged, rpc.ack(new AckRequest(session.id(), batch.seq())));
        } catch (SwitchboardClientException e) {
            LOGGER.info("{}; the batch will be delivered again seq={} code={}", failure, batch.seq(), e.code());
        }
    }

    /** The backend answered the ack of {@code batch}: the mirror moves to {@code next}, the cursor is saved. */
    private void acknowledged(Batch batch, ReadDelivery.State<Batch> next, AckResponse answer) {
        delivery = next;
        ackPending = false;
        cursor = Optional.of(answer.getCursor());
        options.cursorStore().save(answer.getCursor());
        LOGGER.debug("batch acknowledged session={} seq={}", session.id(), batch.seq());
    }

    private void replaceSession(SwitchboardClientException cause) throws InterruptedException {
        LOGGER.info(
                "read session ended; allocating a new one from the last cursor topic={} session={} code={}",
                options.topic(),
                session.id(),
                cause.code());
        Failover.reader(options.topic(), cause.code().name());
        if (cause.code() != ErrorCode.SESSION_LOST) {
            rpc.disposeQuietly(session.id());
        }
        allocate();
    }

    private void allocate() throws InterruptedException {
        AllocateRequest request = new AllocateRequest(options.topic(), SessionMode.READ);
        cursor.ifPresentOrElse(request::setCursor, () -> setStart(request, options.start()));
        AllocateResponse answer = rpc.allocate(request);
        session = new ReadSession(answer.getSessionId(), answer.getLimits());
        delivery = ReadDelivery.initial(); // a held batch is delivered again by the new session
        ackPending = false;
        if (cursor.isEmpty() && answer.isSetCursor()) {
            cursor = Optional.of(answer.getCursor()); // pin the start, so a new session does not move it
        }
        LOGGER.info(
                "read session allocated topic={} session={} resumed={}",
                options.topic(),
                session.id(),
                request.isSetCursor());
    }

    /** The arguments of {@code poll(maxEvents, maxWait)}, checked alike by every subscriber. */
    static void checkPoll(int maxEvents, Duration maxWait) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, got " + maxEvents);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
    }

    static void setStart(AllocateRequest request, StartPosition start) {
        switch (start) {
            case StartPosition.Earliest earliest -> request.setStartFrom(StartFrom.EARLIEST);
            case StartPosition.Latest latest -> request.setStartFrom(StartFrom.LATEST);
            case StartPosition.AtTimestamp at ->
                request.setStartFrom(StartFrom.TIMESTAMP)
                        .setStartTimestamp(at.timestamp().toEpochMilli());
        }
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
            if (delivery instanceof ReadDelivery.Ended) {
                return;
            }
            acking().ifPresent(this::acknowledgeBeforeClosing);
            delivery = Mirror.accepted(ReadDelivery.apply(delivery, new ReadMachine.Dispose()), "dispose");
            rpc.disposeQuietly(session.id());
            LOGGER.info("read session closed topic={} session={}", options.topic(), session.id());
        } finally {
            lock.unlock();
            onClose.accept(this);
        }
    }

    /** Sends the ack still pending when the subscriber closes, so the cursor saved is the acknowledged one. */
    private void acknowledgeBeforeClosing(Batch batch) {
        Interruptibly.run(() -> acknowledgeOrLog(batch, "the last batch's ack failed on close"));
    }

    private void requireOpen() {
        if (delivery instanceof ReadDelivery.Ended) {
            throw new IllegalStateException("the subscriber is closed");
        }
    }
}
