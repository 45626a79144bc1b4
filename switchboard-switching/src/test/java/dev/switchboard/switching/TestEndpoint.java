package dev.switchboard.switching;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import io.opentelemetry.context.Context;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend node for switch tests. It answers allocate with a session id naming itself, ack with its own node
 * id as the cursor (so a test sees which node answered) and the request's seq, and read with whatever
 * {@link #onRead} says.
 */
public final class TestEndpoint implements BackendEndpoint {
    /** How the node answers a read. */
    public interface ReadBehaviour {
        CompletableFuture<SwitchResponse> answer(ReadRequest read);
    }

    private final String shard;
    private final String nodeId;
    private final AtomicInteger allocations = new AtomicInteger();
    private volatile boolean kafkaReachable = true;
    private volatile Optional<String> lastTraceparent = Optional.empty();
    private volatile ReadBehaviour onRead =
            read -> CompletableFuture.completedFuture(SwitchResponses.error(ErrorCode.INVALID_REQUEST, "no reads"));

    public TestEndpoint(String shard, String nodeId) {
        this.shard = shard;
        this.nodeId = nodeId;
    }

    public TestEndpoint onRead(ReadBehaviour behaviour) {
        this.onRead = behaviour;
        return this;
    }

    /** Says from now on whether the node reaches Kafka (it always does unless told). */
    public TestEndpoint kafkaReachable(boolean reachable) {
        this.kafkaReachable = reachable;
        return this;
    }

    @Override
    public boolean kafkaReachable() {
        return kafkaReachable;
    }

    public int allocations() {
        return allocations.get();
    }

    @Override
    public String shard() {
        return shard;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public OptionalInt sessionCount() {
        return OptionalInt.of(allocations.get());
    }

    /** The trace context current when the node last handled a request (its {@code traceparent}). */
    public Optional<String> lastTraceparent() {
        return lastTraceparent;
    }

    @Override
    public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
        lastTraceparent = TraceContext.traceparent(Context.current());
        return switch (request.getSetField()) {
            case ALLOCATE -> {
                allocations.incrementAndGet();
                String id = SessionId.create(shard, nodeId).toString();
                yield CompletableFuture.completedFuture(SwitchResponse.allocate(new AllocateResponse(id, limits())));
            }
            case ACK ->
                CompletableFuture.completedFuture(
                        SwitchResponse.ack(new AckResponse(request.getAck().getSeq(), nodeId)));
            case READ -> onRead.answer(request.getRead());
            default ->
                CompletableFuture.completedFuture(
                        SwitchResponses.error(SwitchboardException.of(ErrorCode.INVALID_REQUEST, "not in this test")));
        };
    }

    public static SwitchRequest allocateRequest() {
        return SwitchRequest.allocate(new AllocateRequest("orders", SessionMode.READ));
    }

    public static SwitchRequest ackRequest(SessionId session, long seq) {
        return SwitchRequest.ack(new AckRequest(session.toString(), seq));
    }

    public static SwitchRequest readRequest(SessionId session, long seq) {
        return SwitchRequest.read(new ReadRequest(session.toString(), seq));
    }

    private static Limits limits() {
        return new Limits(100, 1 << 20, 4, 100, 1 << 20, 1 << 16, 60_000, 30_000);
    }
}
