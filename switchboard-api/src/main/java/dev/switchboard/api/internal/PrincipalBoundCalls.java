package dev.switchboard.api.internal;

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
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.util.Optional;
import org.apache.thrift.TException;
import org.jspecify.annotations.Nullable;

/**
 * The per-principal bound ({@link PrincipalCalls}) around the calls; inside {@link AuthenticatingCalls}, so it sees
 * only authenticated calls and an allocate whose principal the token set. One instance per request.
 */
public final class PrincipalBoundCalls implements Switchboard.Iface {
    private final Switchboard.Iface calls;
    private final PrincipalCalls principals;

    public PrincipalBoundCalls(Switchboard.Iface calls, PrincipalCalls principals) {
        this.calls = calls;
        this.principals = principals;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws TException;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws TException {
        Optional<String> principal =
                Optional.ofNullable(request).map(AllocateRequest::getPrincipal).filter(name -> !name.isBlank());
        AllocateResponse response = bounded(principal, () -> calls.allocate(request));
        if (principal.isPresent() && response != null && response.getSessionId() != null) {
            principals.remember(response.getSessionId(), principal.get());
        }
        return response;
    }

    @Override
    public ReadResponse read(ReadRequest request) throws TException {
        return bounded(owner(request == null ? null : request.getSessionId()), () -> calls.read(request));
    }

    @Override
    public AckResponse ack(AckRequest request) throws TException {
        return bounded(owner(request == null ? null : request.getSessionId()), () -> calls.ack(request));
    }

    @Override
    public WriteResponse write(WriteRequest request) throws TException {
        return bounded(owner(request == null ? null : request.getSessionId()), () -> calls.write(request));
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws TException {
        return bounded(owner(request == null ? null : request.getSessionId()), () -> calls.commit(request));
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws TException {
        String sessionId = request == null ? null : request.getSessionId();
        DisposeResponse response = bounded(owner(sessionId), () -> calls.dispose(request));
        if (sessionId != null) {
            principals.forget(sessionId);
        }
        return response;
    }

    private Optional<String> owner(@Nullable String sessionId) {
        return sessionId == null ? Optional.empty() : principals.owner(sessionId);
    }

    private <T> T bounded(Optional<String> principal, Call<T> call) throws TException {
        if (principal.isEmpty()) {
            return call.run();
        }
        try {
            principals.enter(principal.get());
        } catch (SwitchboardException e) {
            throw e.toThrift();
        }
        try {
            return call.run();
        } finally {
            principals.leave(principal.get());
        }
    }
}
