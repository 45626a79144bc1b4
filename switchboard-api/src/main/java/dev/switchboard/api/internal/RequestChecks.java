package dev.switchboard.api.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.ReadRequest;

/**
 * Rejects obviously bad input at the edge, before it costs a trip over the switch. Anything that needs session
 * state (sequence numbers, limits) is the backend's to judge. Every rejection is an INVALID_REQUEST with a message
 * that names the field but never echoes the client's values.
 */
final class RequestChecks {
    private RequestChecks() {}

    /**
     * The request struct must be present. (Its required fields were checked when it was decoded: the generated
     * {@code read} validates, and the dispatcher answers a failure with INVALID_REQUEST.)
     */
    static <T> T present(T request, String call) {
        if (request == null) {
            throw invalid(call + " request is missing");
        }
        return request;
    }

    static void allocate(AllocateRequest request) {
        if (request.getTopic().isBlank()) {
            throw invalid("topic must not be blank");
        }
    }

    static void read(ReadRequest request) {
        if (request.isSetMaxEvents() && request.getMaxEvents() < 1) {
            throw invalid("maxEvents must be at least 1");
        }
        if (request.isSetMaxBytes() && request.getMaxBytes() < 1) {
            throw invalid("maxBytes must be at least 1");
        }
        if (request.isSetMaxWaitMs() && request.getMaxWaitMs() < 0) {
            throw invalid("maxWaitMs must not be negative");
        }
    }

    private static SwitchboardException invalid(String message) {
        return SwitchboardException.of(ErrorCode.INVALID_REQUEST, message);
    }
}
