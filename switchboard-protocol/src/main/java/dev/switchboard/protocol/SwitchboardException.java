package dev.switchboard.protocol;

import dev.switchboard.protocol.thrift.SwitchboardError;
import java.util.OptionalLong;

/**
 * A protocol error with its {@link ErrorCode}. The message is safe to show to clients: it never carries an
 * internal exception's text.
 */
public final class SwitchboardException extends RuntimeException {
    private final ErrorCode code;
    private final long expectedSeq;
    private final long retryAfterMs;

    private SwitchboardException(ErrorCode code, String message, long expectedSeq, long retryAfterMs) {
        super(message == null || message.isBlank() ? code.defaultMessage() : message);
        this.code = code;
        this.expectedSeq = expectedSeq;
        this.retryAfterMs = retryAfterMs;
    }

    public static SwitchboardException of(ErrorCode code, String message) {
        return new SwitchboardException(code, message, -1, -1);
    }

    public static SwitchboardException outOfSequence(long expectedSeq, String message) {
        return new SwitchboardException(ErrorCode.OUT_OF_SEQUENCE, message, expectedSeq, -1);
    }

    public static SwitchboardException busy(long retryAfterMs, String message) {
        return new SwitchboardException(ErrorCode.BUSY, message, -1, retryAfterMs);
    }

    public static SwitchboardException fromThrift(SwitchboardError error) {
        ErrorCode code = ErrorCode.fromThrift(error.getCode());
        return new SwitchboardException(
                code,
                error.getMessage() == null ? code.defaultMessage() : error.getMessage(),
                error.isSetExpectedSeq() ? error.getExpectedSeq() : -1,
                error.isSetRetryAfterMs() ? error.getRetryAfterMs() : -1);
    }

    public SwitchboardError toThrift() {
        SwitchboardError error = new SwitchboardError(code.toThrift(), getMessage());
        if (expectedSeq >= 0) {
            error.setExpectedSeq(expectedSeq);
        }
        if (retryAfterMs >= 0) {
            error.setRetryAfterMs(retryAfterMs);
        }
        return error;
    }

    public ErrorCode code() {
        return code;
    }

    /** For OUT_OF_SEQUENCE: the sequence number the receiver expected. */
    public OptionalLong expectedSeq() {
        return expectedSeq >= 0 ? OptionalLong.of(expectedSeq) : OptionalLong.empty();
    }

    /** For BUSY: how long to wait before retrying. */
    public OptionalLong retryAfterMs() {
        return retryAfterMs >= 0 ? OptionalLong.of(retryAfterMs) : OptionalLong.empty();
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
