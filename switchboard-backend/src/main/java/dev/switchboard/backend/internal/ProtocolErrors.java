package dev.switchboard.backend.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge where failures become protocol errors: a {@link SwitchboardException} passes through, Kafka
 * timeouts and retriable errors become UNAVAILABLE, anything else INTERNAL with a safe message. Internal
 * exception text never reaches a client; unexpected failures are logged at ERROR with the session id.
 */
public final class ProtocolErrors {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProtocolErrors.class);

    private ProtocolErrors() {}

    /** Maps any failure of a request to the protocol error to answer. */
    public static SwitchboardException toProtocol(Throwable failure, String session) {
        Throwable cause = unwrap(failure);
        if (cause instanceof SwitchboardException protocol) {
            if (protocol.code() == ErrorCode.INTERNAL) {
                LOGGER.error("request failed session={} message={}", session, protocol.getMessage());
            }
            return protocol;
        }
        if (cause instanceof TimeoutException || cause instanceof RetriableException) {
            LOGGER.warn("Kafka unavailable session={} error={}", session, cause.toString());
            return SwitchboardException.of(ErrorCode.UNAVAILABLE, "Kafka is unavailable; retry later");
        }
        if (cause instanceof InterruptedException) {
            return SwitchboardException.of(ErrorCode.UNAVAILABLE, "interrupted; retry later");
        }
        LOGGER.error("request failed session={}", session, cause);
        return SwitchboardException.of(ErrorCode.INTERNAL, "internal error in the backend");
    }

    /** A failed publish: the chunks stay staged, so the client may simply commit again. */
    static SwitchboardException publishFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof SwitchboardException protocol) {
            return protocol;
        }
        if (cause instanceof RecordTooLargeException) {
            LOGGER.error("Kafka rejected a record as too large; check max.message.bytes of the topic", cause);
            return SwitchboardException.of(ErrorCode.PAYLOAD_TOO_LARGE, "Kafka rejected an event as too large");
        }
        if (!(cause instanceof TimeoutException || cause instanceof RetriableException)) {
            LOGGER.error("publish failed", cause);
        }
        return SwitchboardException.of(ErrorCode.UNAVAILABLE, "Kafka did not acknowledge the chunks; commit again");
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
