package dev.switchboard.client.fake;

import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.SwitchResponses;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A test double of one backend node: it runs switchboard-core's {@link ReadMachine} and {@link WriteMachine} for
 * each session over a {@link FakeKafka}, answers through the switch like the real backend, and can misbehave by
 * a {@link Fault.Plan}. Sessions live only as long as the node: a replacement node knows none of them.
 */
public final class FakeNode implements BackendEndpoint, AutoCloseable {
    static final CursorCodec CURSORS =
            new CursorCodec("fake-cluster-secret-0123456789".getBytes(StandardCharsets.UTF_8));

    private final FakeKafka kafka;
    private final String nodeId;
    private final Limits limits;
    private final Fault.Plan faults;
    private final long enforcedEventBytes;
    private final Map<String, FakeSession> sessions = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean older;

    public FakeNode(FakeKafka kafka, String nodeId, Limits limits, Fault.Plan faults) {
        this(kafka, nodeId, limits, faults, limits.getMaxEventBytes());
    }

    /** A node that refuses payloads above {@code enforcedEventBytes}, whatever limit it advertises. */
    public FakeNode(FakeKafka kafka, String nodeId, Limits limits, Fault.Plan faults, long enforcedEventBytes) {
        this.kafka = kafka;
        this.nodeId = nodeId;
        this.limits = limits;
        this.faults = faults;
        this.enforcedEventBytes = enforcedEventBytes;
    }

    /** Small limits, so that tests exercise chunking and the window with few events. */
    public static Limits testLimits() {
        return new Limits(50, 1 << 20, 4, 20, 1 << 20, 64 * 1024, 60_000, 200);
    }

    @Override
    public String shard() {
        return "s0";
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
        return CompletableFuture.supplyAsync(() -> answer(request), executor);
    }

    private SwitchResponse answer(SwitchRequest request) {
        Fault fault = faults.decide(request);
        switch (fault) {
            case REFUSE_UNAVAILABLE -> {
                return SwitchResponses.error(ErrorCode.UNAVAILABLE, "injected: unavailable");
            }
            case REFUSE_BUSY -> {
                return SwitchResponses.error(SwitchboardException.busy(5, "injected: busy"));
            }
            case REFUSE_DRAINING -> {
                return SwitchResponses.error(ErrorCode.DRAINING, "injected: draining");
            }
            default -> {}
        }
        SwitchResponse response;
        try {
            response = dispatch(request);
        } catch (SwitchboardException e) {
            response = SwitchResponses.error(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = SwitchResponses.error(ErrorCode.UNAVAILABLE, "node stopping");
        }
        return fault == Fault.LOSE_ANSWER
                ? SwitchResponses.error(ErrorCode.UNAVAILABLE, "injected: the answer was lost")
                : response;
    }

    /**
     * Makes this node one that predates the requests' round-trip fields (ReadRequest.ackSeq, WriteRequest.commit):
     * it ignores them, as an older node skips fields it does not know.
     */
    public FakeNode olderThanRoundTripFields() {
        older = true;
        return this;
    }

    private SwitchResponse dispatch(SwitchRequest request) throws InterruptedException {
        if (older && request.isSetRead()) {
            request.getRead().unsetAckSeq();
        }
        if (older && request.isSetWrite()) {
            request.getWrite().unsetCommit();
        }
        return switch (request.getSetField()) {
            case ALLOCATE -> SwitchResponse.allocate(allocate(request.getAllocate()));
            case READ ->
                SwitchResponse.read(reader(request.getRead().getSessionId()).read(request.getRead()));
            case ACK ->
                SwitchResponse.ack(reader(request.getAck().getSessionId()).ack(request.getAck()));
            case WRITE ->
                SwitchResponse.write(writer(request.getWrite().getSessionId()).write(request.getWrite()));
            case COMMIT ->
                SwitchResponse.commit(writer(request.getCommit().getSessionId()).commit(request.getCommit()));
            case DISPOSE -> {
                FakeSession session = sessions.remove(request.getDispose().getSessionId());
                if (session != null) {
                    session.dispose();
                }
                yield SwitchResponse.dispose(new dev.switchboard.protocol.thrift.DisposeResponse());
            }
        };
    }

    private AllocateResponse allocate(AllocateRequest request) {
        if (!kafka.hasTopic(request.getTopic())) {
            throw SwitchboardException.of(ErrorCode.TOPIC_NOT_FOUND, "topic " + request.getTopic() + " does not exist");
        }
        String id = SessionId.create(shard(), nodeId).toString();
        AllocateResponse response = new AllocateResponse(id, limits);
        if (request.getMode() == SessionMode.READ) {
            long position = startOf(request);
            sessions.put(id, new FakeReadSession(kafka, request.getTopic(), position, limits));
            return response.setCursor(cursorAt(request.getTopic(), position));
        }
        String writerId = request.isSetWriterId() ? request.getWriterId() : "w-" + UUID.randomUUID();
        // as the backend: the durable state answers, and a hint above it is refused (retriable: "writer state
        // pending", the backend's answer while chunks answered SPILLED wait for re-injection)
        String principal = request.isSetPrincipal() ? request.getPrincipal() : "";
        long last = kafka.lastCommitted(principal, request.getTopic(), writerId);
        if (request.isSetLastCommittedSeq() && request.getLastCommittedSeq() > last) {
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE,
                    "writer state pending: writer '" + writerId + "' has committed up to chunk " + last + ", not "
                            + request.getLastCommittedSeq() + "; allocate again");
        }
        sessions.put(
                id,
                new FakeWriteSession(kafka, principal, request.getTopic(), writerId, last, limits, enforcedEventBytes));
        return response.setWriterId(writerId).setLastCommittedSeq(last);
    }

    private long startOf(AllocateRequest request) {
        if (request.isSetCursor()) {
            Cursor cursor = CURSORS.decode(request.getCursor());
            return cursor.offsets().getOrDefault(0, 0L);
        }
        if (!request.isSetStartFrom()) {
            return 0;
        }
        return switch (request.getStartFrom()) {
            case EARLIEST -> 0;
            case LATEST -> kafka.end(request.getTopic());
            case TIMESTAMP -> kafka.offsetAt(request.getTopic(), request.getStartTimestamp());
        };
    }

    static String cursorAt(String topic, long position) {
        return CURSORS.encode(Cursor.of(topic, Map.of(0, position)));
    }

    private FakeReadSession reader(String id) {
        return session(id, FakeReadSession.class);
    }

    private FakeWriteSession writer(String id) {
        return session(id, FakeWriteSession.class);
    }

    private <T extends FakeSession> T session(String id, Class<T> type) {
        FakeSession session = sessions.get(id);
        if (session == null) {
            throw SwitchboardException.of(ErrorCode.SESSION_LOST, "session " + id + " is unknown on this node");
        }
        if (!type.isInstance(session)) {
            throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "wrong call for this session's mode");
        }
        return type.cast(session);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** A session of this node. */
    sealed interface FakeSession permits FakeReadSession, FakeWriteSession {
        void dispose();
    }
}
