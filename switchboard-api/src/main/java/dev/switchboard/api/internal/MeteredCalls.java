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
import java.util.Locale;
import org.apache.thrift.TException;

/**
 * Counts and times every call on its way out: {@code switchboard_requests_total{call,code}} and
 * {@code switchboard_request_seconds{call}}. It wraps the authenticating calls, so refused calls count too
 * (code {@code unauthenticated}, {@code forbidden}); and the events in written chunks and read answers
 * ({@code switchboard_api_events_total{direction}}).
 */
public final class MeteredCalls implements Switchboard.Iface {
    private final Switchboard.Iface calls;
    private final ApiMeters meters;

    public MeteredCalls(Switchboard.Iface calls, ApiMeters meters) {
        this.calls = calls;
        this.meters = meters;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws TException {
        return timed("allocate", () -> calls.allocate(request));
    }

    @Override
    public ReadResponse read(ReadRequest request) throws TException {
        ReadResponse response = timed("read", () -> calls.read(request));
        meters.eventsOut(response.isSetEvents() ? response.getEvents().size() : 0);
        return response;
    }

    @Override
    public AckResponse ack(AckRequest request) throws TException {
        return timed("ack", () -> calls.ack(request));
    }

    @Override
    public WriteResponse write(WriteRequest request) throws TException {
        WriteResponse response = timed("write", () -> calls.write(request));
        meters.eventsIn(request.isSetEvents() ? request.getEvents().size() : 0);
        return response;
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws TException {
        return timed("commit", () -> calls.commit(request));
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws TException {
        return timed("dispose", () -> calls.dispose(request));
    }

    private <T> T timed(String call, Call<T> body) throws TException {
        long startNanos = System.nanoTime();
        String code = "internal";
        try {
            T result = body.run();
            code = "ok";
            return result;
        } catch (SwitchboardError e) {
            code = codeOf(e);
            throw e;
        } finally {
            meters.call(call, code, System.nanoTime() - startNanos);
        }
    }

    private static String codeOf(SwitchboardError error) {
        if (!error.isSetCode()) {
            return "internal";
        }
        return ErrorCode.fromThrift(error.getCode()).name().toLowerCase(Locale.ROOT);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws TException;
    }
}
