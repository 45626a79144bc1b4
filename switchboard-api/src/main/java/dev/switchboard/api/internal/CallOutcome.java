package dev.switchboard.api.internal;

import java.nio.ByteBuffer;

/** What the Thrift dispatcher made of one request body: a Thrift reply to send, or a body it could not accept. */
public sealed interface CallOutcome {

    /** A complete Thrift compact-protocol reply message (a result, a SwitchboardError, or an application error). */
    record Reply(ByteBuffer body) implements CallOutcome {
        public Reply {
            body = body.asReadOnlyBuffer();
        }
    }

    /** The body is not a Thrift compact call; {@code reason} is short and safe to show the client. */
    record Invalid(String reason) implements CallOutcome {}
}
