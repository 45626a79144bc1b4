package dev.switchboard.api.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.ReadRequest;
import java.util.regex.Pattern;

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
    private static final int MAX_TOPIC_LENGTH = 249;

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]+");

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
        topicName(request.getTopic());
    }

    /**
     * The backend's topic rule (1-249 of [a-zA-Z0-9._-], not '.' or '..', no '__' prefix), checked at the edge
     * before any grant is matched against the name: the length first, so a 16 MiB "topic" costs nothing.
     */
    static void topicName(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw invalid("topic is required");
        }
        if (topic.length() > MAX_TOPIC_LENGTH
                || !TOPIC.matcher(topic).matches()
                || topic.equals(".")
                || topic.equals("..")) {
            throw invalid("topic must be 1-249 characters of [a-zA-Z0-9._-] and not '.' or '..'");
        }
        if (topic.startsWith("__")) {
            throw invalid("topic names starting with '__' are reserved for internal topics");
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
