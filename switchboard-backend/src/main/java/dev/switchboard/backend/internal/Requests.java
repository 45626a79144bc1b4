package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.SwitchRequest;
import java.util.Optional;

/** Reads what every session request shares out of the {@link SwitchRequest} union. */
public final class Requests {
    private Requests() {}

    /** The session id a request names; empty for allocate (and for a request missing its id). */
    public static Optional<String> sessionId(SwitchRequest request) {
        String id = switch (request.getSetField()) {
            case ALLOCATE -> null;
            case READ -> request.getRead().getSessionId();
            case ACK -> request.getAck().getSessionId();
            case WRITE -> request.getWrite().getSessionId();
            case COMMIT -> request.getCommit().getSessionId();
            case DISPOSE -> request.getDispose().getSessionId();
        };
        return Optional.ofNullable(id);
    }
}
