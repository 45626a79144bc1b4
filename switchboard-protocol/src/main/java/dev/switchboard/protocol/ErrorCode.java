package dev.switchboard.protocol;

/**
 * The single error model of Switchboard: every protocol error has a code that never changes, a flag saying
 * whether the same request may simply be retried, and a default message. Thrift exceptions, the SDK and the
 * docs (docs/errors.md) all use this enum; errors are mapped to it once, at the edge where they occur.
 */
public enum ErrorCode {
    UNAUTHENTICATED(1, false, "missing or invalid credentials"),
    FORBIDDEN(2, false, "not allowed for this principal"),
    INVALID_REQUEST(3, false, "invalid request"),
    OUT_OF_SEQUENCE(4, false, "sequence number out of order"),
    SESSION_LOST(5, false, "session unknown or lost; allocate a new one"),
    BUSY(6, true, "busy; retry later"),
    DRAINING(7, false, "node is draining; allocate a new session"),
    TOPIC_NOT_FOUND(8, false, "topic not found"),
    PAYLOAD_TOO_LARGE(9, false, "payload too large"),
    UNAVAILABLE(10, true, "temporarily unavailable"),
    INTERNAL(11, false, "internal error");

    private final int code;
    private final boolean retriable;
    private final String defaultMessage;

    ErrorCode(int code, boolean retriable, String defaultMessage) {
        this.code = code;
        this.retriable = retriable;
        this.defaultMessage = defaultMessage;
    }

    /** The stable numeric code, equal to the Thrift enum value. */
    public int code() {
        return code;
    }

    /** True when resending the very same request later may succeed. */
    public boolean retriable() {
        return retriable;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /** True when the client should allocate a new session and carry on from its cursor or writer id. */
    public boolean needsReallocation() {
        return this == SESSION_LOST || this == DRAINING;
    }

    public dev.switchboard.protocol.thrift.ErrorCode toThrift() {
        return dev.switchboard.protocol.thrift.ErrorCode.findByValue(code);
    }

    public static ErrorCode fromThrift(dev.switchboard.protocol.thrift.ErrorCode thrift) {
        return thrift == null ? INTERNAL : forCode(thrift.getValue());
    }

    /** The enum constant for a numeric code; unknown codes (from a newer peer) read as INTERNAL. */
    public static ErrorCode forCode(int code) {
        for (ErrorCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        return INTERNAL;
    }
}
