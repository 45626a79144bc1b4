package dev.switchboard.backend.internal;

import dev.switchboard.backend.SessionLimits;
import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.session.ReadDelivery;
import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.core.session.Transition;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read session: runs {@link ReadMachine}, with the delivered batch kept in its state for a repeated read
 * ({@link ReadDelivery}), and performs its effects with a {@link Fetcher}. Keeps the cursor of everything
 * acknowledged: {@code committed} is the cursor after the last acknowledged batch (the starting cursor before the
 * first).
 */
final class ReadSession extends HostedSession {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReadSession.class);

    private final Fetcher fetcher;
    private final CursorCodec cursors;
    private final SessionLimits limits;
    private final BooleanSupplier draining;
    private final BackendMetrics metrics;
    private ReadDelivery.State<FetchedBatch> state = ReadDelivery.initial();
    private Cursor committed;

    ReadSession(
            SessionId id,
            Cursor start,
            Fetcher fetcher,
            CursorCodec cursors,
            SessionLimits limits,
            BooleanSupplier draining,
            Executor executor,
            Clock clock,
            BackendMetrics metrics) {
        super(id, start.topic(), executor, clock);
        this.metrics = metrics;
        this.committed = start;
        this.fetcher = fetcher;
        this.cursors = cursors;
        this.limits = limits;
        this.draining = draining;
    }

    @Override
    public SessionMode mode() {
        return SessionMode.READ;
    }

    /** An idle reader gives its consumer back; the delivered batch and the cursor stay, so nothing is lost. */
    @Override
    void park() {
        fetcher.park();
    }

    @Override
    SwitchResponse handle(SwitchRequest request) {
        return switch (request.getSetField()) {
            case READ -> SwitchResponse.read(read(request.getRead()));
            case ACK -> SwitchResponse.ack(ack(request.getAck()));
            default -> throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "a read session takes read and ack");
        };
    }

    private ReadResponse read(ReadRequest request) {
        int maxEvents =
                bounded("maxEvents", request.isSetMaxEvents(), request.getMaxEvents(), limits.maxEventsPerRead());
        int maxBytes = bounded("maxBytes", request.isSetMaxBytes(), request.getMaxBytes(), limits.maxBytesPerRead());
        long maxWaitMs = request.isSetMaxWaitMs() ? Math.max(0, request.getMaxWaitMs()) : 0;
        Duration wait = Duration.ofMillis(Math.min(maxWaitMs, limits.maxWait().toMillis()));
        long seq = request.getSeq();
        ReadDelivery.State<FetchedBatch> before = state;
        ReadMachine.Command command = request.isSetAckSeq()
                ? new ReadMachine.AckAndRead(request.getAckSeq(), seq)
                : new ReadMachine.Read(seq);
        AckResponse acknowledged = null; // the ack riding on this read, once it moved the position
        for (ReadMachine.Effect effect : step(command)) {
            switch (effect) {
                case ReadMachine.Acknowledged ack -> acknowledged = acknowledge(before, ack);
                case ReadMachine.Fetch fetch -> {
                    FetchedBatch batch = fetch(maxEvents, maxBytes, wait);
                    if (batch.isEmpty()) {
                        // long poll timed out: seq not used
                        return withAck(new ReadResponse(seq, List.of()), acknowledged);
                    }
                    return withAck(deliver(seq, batch), acknowledged);
                }
                case ReadMachine.Redeliver redeliver -> {
                    return withAck(new ReadResponse(redeliver.seq(), held().events()), acknowledged);
                }
                case Rejection rejection -> throw rejection.toException();
                default -> throw unexpected(effect);
            }
        }
        throw SwitchboardException.of(ErrorCode.INTERNAL, "read produced no answer");
    }

    private static ReadResponse withAck(ReadResponse response, @Nullable AckResponse ack) {
        return ack == null ? response : response.setAck(ack);
    }

    private FetchedBatch fetch(int maxEvents, int maxBytes, Duration wait) {
        try {
            return fetcher.fetch(maxEvents, maxBytes, wait);
        } catch (WakeupException e) {
            if (disposed()) {
                throw SwitchboardException.of(ErrorCode.SESSION_LOST, "session was disposed or expired");
            }
            if (draining.getAsBoolean()) {
                throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining; allocate a new session");
            }
            return FetchedBatch.EMPTY;
        }
    }

    private ReadResponse deliver(long seq, FetchedBatch batch) {
        for (ReadMachine.Effect effect : record(ReadDelivery.fetched(state, seq, batch))) {
            if (effect instanceof ReadMachine.Deliver) {
                metrics.read(topic(), batch.events().size(), payloadBytes(batch));
                LOGGER.debug(
                        "batch delivered session={} seq={} events={}",
                        id(),
                        seq,
                        batch.events().size());
                return new ReadResponse(seq, batch.events());
            }
            if (effect instanceof Rejection rejection) {
                throw rejection.toException();
            }
        }
        throw SwitchboardException.of(ErrorCode.INTERNAL, "fetched batch was not delivered");
    }

    private static long payloadBytes(FetchedBatch batch) {
        long bytes = 0;
        for (var event : batch.events()) {
            bytes += event.isSetPayload() ? event.bufferForPayload().remaining() : 0;
        }
        return bytes;
    }

    private AckResponse ack(AckRequest request) {
        ReadDelivery.State<FetchedBatch> before = state;
        for (ReadMachine.Effect effect : step(new ReadMachine.Ack(request.getSeq()))) {
            switch (effect) {
                case ReadMachine.Acknowledged acknowledged -> {
                    return acknowledge(before, acknowledged);
                }
                case Rejection rejection -> throw rejection.toException();
                default -> throw unexpected(effect);
            }
        }
        throw SwitchboardException.of(ErrorCode.INTERNAL, "ack produced no answer");
    }

    /**
     * The machine acknowledged batches up to {@code acknowledged}, moving from {@code before} to the current state:
     * when that released the held batch, the committed position moves past it. The ack's answer.
     */
    private AckResponse acknowledge(ReadDelivery.State<FetchedBatch> before, ReadMachine.Acknowledged acknowledged) {
        if (before instanceof ReadDelivery.Holding<FetchedBatch> holding && state instanceof ReadDelivery.Waiting) {
            committed = committed.advancedTo(holding.batch().nextOffsets());
        }
        return new AckResponse(acknowledged.ackedSeq(), cursors.encode(committed));
    }

    private List<ReadMachine.Effect> step(ReadMachine.Command command) {
        return record(ReadDelivery.apply(state, command));
    }

    private List<ReadMachine.Effect> record(
            Transition<ReadDelivery.State<FetchedBatch>, ReadMachine.Effect> transition) {
        state = transition.state();
        return transition.effects();
    }

    /** The batch the machine holds as delivered (a Redeliver effect comes only from there). */
    private FetchedBatch held() {
        if (state instanceof ReadDelivery.Holding<FetchedBatch> holding) {
            return holding.batch();
        }
        throw SwitchboardException.of(ErrorCode.INTERNAL, "no delivered batch to read again");
    }

    private static int bounded(String name, boolean set, int requested, int limit) {
        if (!set) {
            return limit;
        }
        if (requested < 1) {
            throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, name + " must be at least 1");
        }
        return Math.min(requested, limit);
    }

    private static SwitchboardException unexpected(Object effect) {
        return SwitchboardException.of(
                ErrorCode.INTERNAL, "unexpected effect " + effect.getClass().getSimpleName());
    }

    @Override
    public void wake() {
        fetcher.wakeup();
    }

    @Override
    void release() {
        step(new ReadMachine.Dispose());
        fetcher.close();
    }
}
