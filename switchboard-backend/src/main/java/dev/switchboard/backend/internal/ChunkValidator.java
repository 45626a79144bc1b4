package dev.switchboard.backend.internal;

import dev.switchboard.backend.SessionLimits;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Event;
import java.util.List;

/**
 * Checks a written chunk against the session limits before anything is staged. Sizes are answered with
 * PAYLOAD_TOO_LARGE naming the limit's key, malformed events with INVALID_REQUEST.
 */
final class ChunkValidator {
    private final SessionLimits limits;

    ChunkValidator(SessionLimits limits) {
        this.limits = limits;
    }

    /** Throws a {@link SwitchboardException} saying what is wrong with chunk {@code seq}, if anything. */
    void validate(long seq, List<Event> events) {
        if (events == null || events.isEmpty()) {
            throw invalid("chunk " + seq + " is empty; a chunk carries at least one event");
        }
        if (events.size() > limits.maxEventsPerChunk()) {
            throw tooLarge("chunk " + seq + " has " + events.size() + " events; max-events-per-chunk is "
                    + limits.maxEventsPerChunk());
        }
        long total = 0;
        for (int index = 0; index < events.size(); index++) {
            total += checkEvent(seq, index, events.get(index));
        }
        if (total > limits.maxBytesPerChunk()) {
            throw tooLarge(
                    "chunk " + seq + " has " + total + " bytes; max-bytes-per-chunk is " + limits.maxBytesPerChunk());
        }
    }

    private long checkEvent(long seq, int index, Event event) {
        String where = "event " + index + " of chunk " + seq;
        if (event == null || !event.isSetPayload()) {
            throw invalid(where + " has no payload");
        }
        if (event.isSetTimestamp() && event.getTimestamp() < 0) {
            throw invalid(where + " has a negative timestamp");
        }
        if (event.isSetHeaders()) {
            for (String name : event.getHeaders().keySet()) {
                if (name == null || name.isEmpty()) {
                    throw invalid(where + " has a header without a name");
                }
            }
        }
        long size = EventRecords.sizeOf(event);
        if (size > limits.maxEventBytes()) {
            throw tooLarge(where + " has " + size + " bytes; max-event-bytes is " + limits.maxEventBytes());
        }
        return size;
    }

    private static SwitchboardException invalid(String message) {
        return SwitchboardException.of(ErrorCode.INVALID_REQUEST, message);
    }

    private static SwitchboardException tooLarge(String message) {
        return SwitchboardException.of(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }
}
