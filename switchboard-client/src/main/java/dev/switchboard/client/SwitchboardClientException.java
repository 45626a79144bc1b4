package dev.switchboard.client;

import dev.switchboard.protocol.ErrorCode;
import java.util.Objects;

/**
 * Thrown for every error the SDK cannot recover from by itself: the {@link #code()} says what kind of error it
 * is (see docs/errors.md), the message says what happened, in the server's words where the server reported it.
 * Transient failures (lost answers, {@code BUSY}, {@code UNAVAILABLE}) are retried before this is thrown, and
 * lost sessions are re-allocated, so seeing this exception means the operation did not succeed.
 */
public final class SwitchboardClientException extends RuntimeException {
    private final ErrorCode code;

    /** An error with the given code and message. */
    public SwitchboardClientException(ErrorCode code, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.code = Objects.requireNonNull(code, "code");
    }

    /** An error with the given code and message, caused by {@code cause}. */
    public SwitchboardClientException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** What kind of error this is; stable across versions. */
    public ErrorCode code() {
        return code;
    }

    /** What happened; never null (every constructor requires a message). */
    @Override
    public String getMessage() {
        return Objects.requireNonNull(super.getMessage(), "message");
    }

    @Override
    public String toString() {
        return getClass().getName() + ": " + code + ": " + getMessage();
    }
}
