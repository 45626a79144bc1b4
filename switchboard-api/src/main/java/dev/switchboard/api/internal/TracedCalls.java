package dev.switchboard.api.internal;

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
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Locale;
import org.apache.thrift.TException;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The outermost layer of the calls: a span per call ({@code switchboard <call>}, kind SERVER), child of the W3C
 * {@code traceparent} the HTTP request carried, current while the call runs, so the switch carries it on to the
 * backend (AMQP headers) and the audit and the log lines ({@code trace_id}, {@code session} in the MDC) name it.
 * With the no-op tracer (tracing not configured) no span is made, but the request's own trace context stays
 * current and travels on all the same.
 */
public final class TracedCalls implements Switchboard.Iface {
    private final Switchboard.Iface calls;
    private final Tracer tracer;
    private final CallContext context;

    public TracedCalls(Switchboard.Iface calls, Tracer tracer, CallContext context) {
        this.calls = calls;
        this.tracer = tracer;
        this.context = context;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws TException {
        return traced("allocate", null, () -> calls.allocate(request));
    }

    @Override
    public ReadResponse read(ReadRequest request) throws TException {
        return traced("read", request == null ? null : request.getSessionId(), () -> calls.read(request));
    }

    @Override
    public AckResponse ack(AckRequest request) throws TException {
        return traced("ack", request == null ? null : request.getSessionId(), () -> calls.ack(request));
    }

    @Override
    public WriteResponse write(WriteRequest request) throws TException {
        return traced("write", request == null ? null : request.getSessionId(), () -> calls.write(request));
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws TException {
        return traced("commit", request == null ? null : request.getSessionId(), () -> calls.commit(request));
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws TException {
        return traced("dispose", request == null ? null : request.getSessionId(), () -> calls.dispose(request));
    }

    private <T> T traced(String call, @Nullable String session, Call<T> body) throws TException {
        Context parent = TraceContext.extract(Context.root(), context.headers());
        Span span = tracer.spanBuilder("switchboard " + call)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("rpc.system", "switchboard")
                .setAttribute("rpc.method", call)
                .startSpan();
        if (session != null) {
            span.setAttribute("switchboard.session", session);
        }
        try (Scope scope = parent.with(span).makeCurrent()) {
            if (session != null) {
                MDC.put("session", session);
            }
            TraceContext.traceId(Context.current()).ifPresent(trace -> MDC.put("trace_id", trace));
            return body.run();
        } catch (SwitchboardError e) {
            span.setStatus(StatusCode.ERROR, codeOf(e));
            throw e;
        } catch (TException | RuntimeException e) {
            span.setStatus(StatusCode.ERROR, "internal");
            throw e;
        } finally {
            MDC.remove("session");
            MDC.remove("trace_id");
            span.end();
        }
    }

    private static String codeOf(SwitchboardError error) {
        return error.isSetCode() ? ErrorCode.fromThrift(error.getCode()).name().toLowerCase(Locale.ROOT) : "internal";
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws TException;
    }
}
