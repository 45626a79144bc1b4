package dev.switchboard.api.internal;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.protocol.ErrorCode;
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
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.TraceContext;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.util.Locale;
import org.apache.thrift.TException;
import org.jspecify.annotations.Nullable;

/**
 * The API tier's part of the audit stream: every allocate (granted or refused, with subject, topic, mode and the
 * refusal's code and safe message), every dispose, and any other call refused as {@code unauthenticated} or
 * {@code forbidden}. It wraps the authenticating calls, so refusals by authentication are seen too; the subject is
 * the one {@link AuthenticatingCalls} took from the token (absent when the token did not verify). Recording never
 * blocks the call ({@link AuditSink}).
 */
public final class AuditedCalls implements Switchboard.Iface {
    private final Switchboard.Iface calls;
    private final AuditSink audit;
    private final String node;
    private final CallContext context;
    private final Clock clock;

    public AuditedCalls(Switchboard.Iface calls, AuditSink audit, String node, CallContext context, Clock clock) {
        this.calls = calls;
        this.audit = audit;
        this.node = node;
        this.context = context;
        this.clock = clock;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws TException {
        try {
            AllocateResponse response = calls.allocate(request);
            audit.record(allocation(request, "ok").withSession(response.getSessionId()));
            return response;
        } catch (SwitchboardError e) {
            audit.record(allocation(request, codeOf(e)).withReason(e.getMessage()));
            throw e;
        }
    }

    @Override
    public ReadResponse read(ReadRequest request) throws TException {
        try {
            return calls.read(request);
        } catch (SwitchboardError e) {
            refused("read", request == null ? null : request.getSessionId(), e);
            throw e;
        }
    }

    @Override
    public AckResponse ack(AckRequest request) throws TException {
        try {
            return calls.ack(request);
        } catch (SwitchboardError e) {
            refused("ack", request == null ? null : request.getSessionId(), e);
            throw e;
        }
    }

    @Override
    public WriteResponse write(WriteRequest request) throws TException {
        try {
            return calls.write(request);
        } catch (SwitchboardError e) {
            refused("write", request == null ? null : request.getSessionId(), e);
            throw e;
        }
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws TException {
        try {
            return calls.commit(request);
        } catch (SwitchboardError e) {
            refused("commit", request == null ? null : request.getSessionId(), e);
            throw e;
        }
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws TException {
        @Nullable String session = request == null ? null : request.getSessionId();
        try {
            DisposeResponse response = calls.dispose(request);
            audit.record(event("dispose", "ok").withSession(session));
            return response;
        } catch (SwitchboardError e) {
            audit.record(event("dispose", codeOf(e)).withSession(session).withReason(e.getMessage()));
            throw e;
        }
    }

    private AuditEvent allocation(AllocateRequest request, String outcome) {
        AuditEvent event = event("allocate", outcome);
        if (request == null) {
            return event;
        }
        return event.withSubject(request.getPrincipal())
                .withTopic(request.getTopic())
                .withMode(
                        request.getMode() == null
                                ? null
                                : request.getMode().name().toLowerCase(Locale.ROOT));
    }

    /** Calls after allocate are audited only when authentication or authorisation refused them. */
    private void refused(String call, @Nullable String session, SwitchboardError error) {
        String code = codeOf(error);
        if (code.equals("unauthenticated") || code.equals("forbidden")) {
            audit.record(event("auth-failure", code)
                    .withCall(call)
                    .withSession(session)
                    .withReason(error.getMessage()));
        }
    }

    private AuditEvent event(String kind, String outcome) {
        return AuditEvent.of(clock.instant(), kind, outcome, node)
                .withRemote(context.remoteAddress())
                .withTraceId(TraceContext.traceId(Context.current()).orElse(null));
    }

    private static String codeOf(SwitchboardError error) {
        if (!error.isSetCode()) {
            return "internal";
        }
        return ErrorCode.fromThrift(error.getCode()).name().toLowerCase(Locale.ROOT);
    }
}
