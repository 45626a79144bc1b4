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
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.util.Optional;
import org.apache.thrift.TException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication in front of the calls. Allocate needs a bearer token that grants the topic in the asked mode
 * ({@link TokenVerifier}, {@link Grants}); with request MACs on, the allocate answer carries the session's MAC
 * key, and every later call must carry a valid MAC made with it ({@link RequestMacs}). That MAC is what binds a
 * session to whoever allocated it: a session serves exactly one topic and mode, and only the holder of its key
 * (handed out once, to a caller whose token granted that topic and mode) can use it. Tokens are checked on
 * allocate only, so a long session outlives its token, as DESIGN.md section 5 intends.
 *
 * <p>One instance per request, like the {@link SwitchboardCalls} it wraps.
 */
public final class AuthenticatingCalls implements Switchboard.Iface {
    private static final Logger LOGGER = LoggerFactory.getLogger(AuthenticatingCalls.class);

    private final Switchboard.Iface calls;
    private final Optional<TokenVerifier> tokens;
    private final Optional<RequestMacs> macs;
    private final CallContext context;

    public AuthenticatingCalls(
            Switchboard.Iface calls, Optional<TokenVerifier> tokens, Optional<RequestMacs> macs, CallContext context) {
        this.calls = calls;
        this.tokens = tokens;
        this.macs = macs;
        this.context = context;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws TException {
        if (request != null) {
            // the backend keys writer state by principal: only the token, never the client, names it
            request.unsetPrincipal();
        }
        if (tokens.isPresent()) {
            try {
                Grants grants = tokens.get().verify(context.header("authorization"));
                if (request != null) {
                    // set before the checks, so a refusal is audited with its subject; a refused request goes nowhere
                    request.setPrincipal(grants.subject());
                }
                if (request != null && request.getTopic() != null && request.getMode() != null) {
                    RequestChecks.topicName(request.getTopic()); // before the grants' globs see the name
                    grants.check(request.getTopic(), request.getMode());
                }
                LOGGER.debug(
                        "allocate authorised subject={} topic={} mode={}",
                        grants.subject(),
                        request == null ? null : request.getTopic(),
                        request == null ? null : request.getMode());
            } catch (SwitchboardException e) {
                LOGGER.info(
                        "allocate refused code={} remote={} reason={}",
                        e.code(),
                        context.remoteAddress(),
                        e.getMessage());
                throw e.toThrift();
            }
        }
        AllocateResponse response = calls.allocate(request);
        macs.ifPresent(m -> response.setMacKey(m.keyFor(response.getSessionId())));
        return response;
    }

    @Override
    public ReadResponse read(ReadRequest request) throws TException {
        authenticate(request == null ? null : request.getSessionId());
        return calls.read(request);
    }

    @Override
    public AckResponse ack(AckRequest request) throws TException {
        authenticate(request == null ? null : request.getSessionId());
        return calls.ack(request);
    }

    @Override
    public WriteResponse write(WriteRequest request) throws TException {
        authenticate(request == null ? null : request.getSessionId());
        return calls.write(request);
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws TException {
        authenticate(request == null ? null : request.getSessionId());
        return calls.commit(request);
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws TException {
        authenticate(request == null ? null : request.getSessionId());
        return calls.dispose(request);
    }

    private void authenticate(@Nullable String sessionId) throws SwitchboardError {
        if (macs.isEmpty() || sessionId == null) {
            return; // a missing session id is the wrapped calls' INVALID_REQUEST
        }
        try {
            macs.get().verify(sessionId, context);
        } catch (SwitchboardException e) {
            LOGGER.info(
                    "call refused code={} session={} remote={} reason={}",
                    e.code(),
                    sessionId,
                    context.remoteAddress(),
                    e.getMessage());
            throw e.toThrift();
        }
    }
}
