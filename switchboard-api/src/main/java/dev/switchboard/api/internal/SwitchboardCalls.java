package dev.switchboard.api.internal;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.Switch;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The six calls as the API tier runs them: check the request at the edge, wrap it in a {@link SwitchRequest}, send
 * it over the switch (allocate to a node the switch picks, everything else to the node named in the session id),
 * wait for the answer and hand it back, or throw it as a {@link SwitchboardError}.
 *
 * <p>One instance per HTTP request, so it can carry that request's {@link CallContext}. It blocks while waiting,
 * which is cheap on the virtual threads the server runs on. Every failure leaves here as a SwitchboardError with a
 * safe message; nothing else reaches the Thrift layer.
 */
public final class SwitchboardCalls implements Switchboard.Iface {
    private static final Logger LOGGER = LoggerFactory.getLogger(SwitchboardCalls.class);

    /** The switch enforces each deadline itself; waiting a little longer only guards against one that does not. */
    private static final Duration BACKSTOP = Duration.ofSeconds(1);

    private final Switch sw;
    private final CallDeadlines deadlines;
    private final InFlightCalls inFlight;
    private final CallContext context;
    private final QueueDelayShedding shedding;

    public SwitchboardCalls(
            Switch sw,
            CallDeadlines deadlines,
            InFlightCalls inFlight,
            CallContext context,
            QueueDelayShedding shedding) {
        this.sw = sw;
        this.deadlines = deadlines;
        this.inFlight = inFlight;
        this.context = context;
        this.shedding = shedding;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws SwitchboardError {
        return call("allocate", () -> {
            AllocateRequest checked = RequestChecks.present(request, "allocate");
            RequestChecks.allocate(checked);
            String affinity = checked.isSetAffinity() && !checked.getAffinity().isBlank()
                    ? checked.getAffinity()
                    : checked.getTopic();
            Duration deadline = deadlines.forOtherCalls();
            SwitchRequest allocate = SwitchRequest.allocate(checked);
            return Answer.ALLOCATE.unpack(send(allocate, deadline, () -> sw.allocate(affinity, allocate, deadline)));
        });
    }

    @Override
    public ReadResponse read(ReadRequest request) throws SwitchboardError {
        return call("read", () -> {
            ReadRequest checked = RequestChecks.present(request, "read");
            RequestChecks.read(checked);
            return forward(
                    checked.getSessionId(), SwitchRequest.read(checked), deadlines.forRead(checked), Answer.READ);
        });
    }

    @Override
    public AckResponse ack(AckRequest request) throws SwitchboardError {
        return call("ack", () -> {
            AckRequest checked = RequestChecks.present(request, "ack");
            return forward(checked.getSessionId(), SwitchRequest.ack(checked), Answer.ACK);
        });
    }

    @Override
    public WriteResponse write(WriteRequest request) throws SwitchboardError {
        return call("write", () -> {
            WriteRequest checked = RequestChecks.present(request, "write");
            Duration deadline = checked.isCommit() ? deadlines.forCommit() : deadlines.forOtherCalls();
            return forward(checked.getSessionId(), SwitchRequest.write(checked), deadline, Answer.WRITE);
        });
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws SwitchboardError {
        return call("commit", () -> {
            CommitRequest checked = RequestChecks.present(request, "commit");
            return forward(checked.getSessionId(), SwitchRequest.commit(checked), deadlines.forCommit(), Answer.COMMIT);
        });
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws SwitchboardError {
        return call("dispose", () -> {
            DisposeRequest checked = RequestChecks.present(request, "dispose");
            return forward(checked.getSessionId(), SwitchRequest.dispose(checked), Answer.DISPOSE);
        });
    }

    /** Runs one call; the single place where failures become the Thrift exception. */
    private <T> T call(String name, Supplier<T> body) throws SwitchboardError {
        try {
            T result = body.get();
            LOGGER.debug("call done call={} remote={}", name, context.remoteAddress());
            return result;
        } catch (SwitchboardException e) {
            LOGGER.debug("call failed call={} remote={} code={}", name, context.remoteAddress(), e.code());
            throw e.toThrift();
        } catch (RuntimeException e) {
            LOGGER.error("call failed unexpectedly call={} remote={}", name, context.remoteAddress(), e);
            throw SwitchboardException.of(ErrorCode.INTERNAL, "the call could not be handled; retry")
                    .toThrift();
        }
    }

    private <T> T forward(String sessionId, SwitchRequest request, Answer<T> expected) {
        return forward(sessionId, request, deadlines.forOtherCalls(), expected);
    }

    private <T> T forward(String sessionId, SwitchRequest request, Duration deadline, Answer<T> expected) {
        SessionId session = SessionId.parse(sessionId);
        return expected.unpack(send(request, deadline, () -> sw.forward(session, request, deadline)));
    }

    /**
     * The one place a request goes to the switch: refused BUSY at once while this node is behind
     * ({@link QueueDelayShedding}), and its time from arrival to answer told to the node's queue-delay gate.
     */
    private SwitchResponse send(
            SwitchRequest request, Duration deadline, Supplier<CompletableFuture<SwitchResponse>> sending) {
        long arrived = shedding.arrival(context);
        shedding.admit(request);
        try {
            return await(sending.get(), deadline);
        } finally {
            shedding.answered(request, arrived);
        }
    }

    private SwitchResponse await(CompletableFuture<SwitchResponse> pending, Duration deadline) {
        CompletableFuture<SwitchResponse> tracked = inFlight.track(pending);
        try {
            return tracked.get(deadline.plus(BACKSTOP).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "the backend did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "the call was interrupted; retry");
        } catch (ExecutionException e) {
            LOGGER.error("the switch failed a call", e.getCause());
            throw SwitchboardException.of(ErrorCode.INTERNAL, "the call could not be forwarded; retry");
        } finally {
            inFlight.done(tracked);
        }
    }
}
