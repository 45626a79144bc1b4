package dev.switchboard.api;

import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.SwitchResponses;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A backend node for tests that answers every call deterministically from the request alone (a read with ackSeq
 * also answers that ack), and remembers what it
 * was asked. Reads answer BUSY while {@link #answerBusy} says so. Two requests are special: {@code ack} of {@link #OUT_OF_SEQUENCE_SEQ} answers OUT_OF_SEQUENCE, and
 * {@code commit} of {@link #NEVER_ANSWERED_SEQ} never answers.
 */
final class TestBackend implements BackendEndpoint {
    static final String SHARD = "s0";
    static final String NODE = "n1";
    static final String SESSION = SHARD + "." + NODE + ".abc123";
    static final long OUT_OF_SEQUENCE_SEQ = 99;
    static final long EXPECTED_SEQ = 3;
    static final long NEVER_ANSWERED_SEQ = 666;

    private final Queue<SwitchRequest> received = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger busyReads = new java.util.concurrent.atomic.AtomicInteger();

    /** The next {@code reads} reads answer BUSY (retry after 10 ms) without reading. */
    void answerBusy(int reads) {
        busyReads.set(reads);
    }

    @Override
    public String shard() {
        return SHARD;
    }

    @Override
    public String nodeId() {
        return NODE;
    }

    List<SwitchRequest> received() {
        return List.copyOf(received);
    }

    @Override
    public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
        received.add(request);
        return switch (request.getSetField()) {
            case ALLOCATE -> done(SwitchResponse.allocate(allocate(request.getAllocate())));
            case READ ->
                busyReads.getAndUpdate(left -> Math.max(0, left - 1)) > 0
                        ? done(SwitchResponses.error(SwitchboardException.busy(10, "busy: test backend")))
                        : done(SwitchResponse.read(read(request.getRead())));
            case ACK ->
                request.getAck().getSeq() == OUT_OF_SEQUENCE_SEQ
                        ? done(SwitchResponses.error(
                                SwitchboardException.outOfSequence(EXPECTED_SEQ, "expected seq 3")))
                        : done(SwitchResponse.ack(new AckResponse(
                                request.getAck().getSeq(),
                                "cursor-" + request.getAck().getSeq())));
            case WRITE ->
                done(SwitchResponse.write(new WriteResponse(
                        request.getWrite().getSeq(), request.getWrite().getSeq())));
            case COMMIT ->
                request.getCommit().getSeq() == NEVER_ANSWERED_SEQ
                        ? new CompletableFuture<>()
                        : done(SwitchResponse.commit(
                                new CommitResponse(request.getCommit().getSeq())));
            case DISPOSE -> done(SwitchResponse.dispose(new DisposeResponse()));
        };
    }

    private static AllocateResponse allocate(AllocateRequest request) {
        AllocateResponse response =
                new AllocateResponse(SESSION, new Limits(100, 1 << 20, 4, 100, 1 << 20, 1 << 16, 60_000, 30_000));
        if (request.getMode() == SessionMode.READ) {
            response.setCursor("cursor-0");
        } else {
            response.setWriterId(request.isSetWriterId() ? request.getWriterId() : "writer-1");
            response.setLastCommittedSeq(0);
        }
        return response;
    }

    /** {@code maxEvents} events (one when unset), each payload naming its batch and index. */
    static ReadResponse read(ReadRequest request) {
        int count = request.isSetMaxEvents() ? request.getMaxEvents() : 1;
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new Event(ByteBuffer.wrap(payload(request.getSeq(), i)))
                    .setPartition(0)
                    .setOffset(i));
        }
        ReadResponse response = new ReadResponse(request.getSeq(), events);
        if (request.isSetAckSeq()) {
            // the ack riding on the read, answered as the ack call would be
            response.setAck(new AckResponse(request.getAckSeq(), "cursor-" + request.getAckSeq()));
        }
        return response;
    }

    static byte[] payload(long seq, int index) {
        return ("event-" + seq + "-" + index).getBytes(StandardCharsets.UTF_8);
    }

    private static CompletableFuture<SwitchResponse> done(SwitchResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
