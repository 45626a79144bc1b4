package dev.switchboard.client.internal;

import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;

/** How the session layers classify an error that survived the retries. */
final class SessionErrors {
    private SessionErrors() {}

    /**
     * True when the session is gone (SESSION_LOST, DRAINING) or out of step with the mirror (OUT_OF_SEQUENCE,
     * which the mirror should prevent): a new session, started from the last known position, carries on safely.
     */
    static boolean needsNewSession(SwitchboardClientException e) {
        return e.code().needsReallocation() || e.code() == ErrorCode.OUT_OF_SEQUENCE;
    }

    /** True when the server refused one write as invalid before staging it; the session itself is fine. */
    static boolean rejectsRequest(SwitchboardClientException e) {
        return e.code() == ErrorCode.PAYLOAD_TOO_LARGE || e.code() == ErrorCode.INVALID_REQUEST;
    }
}
