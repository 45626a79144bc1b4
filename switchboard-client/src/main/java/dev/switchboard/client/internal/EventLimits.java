package dev.switchboard.client.internal;

import dev.switchboard.client.Event;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.Limits;
import java.util.List;
import java.util.Optional;

/**
 * Checks a publish against the session's per-event limit before anything is sent, so an oversized event fails
 * its publish with {@code PAYLOAD_TOO_LARGE} and no part of the publish is written.
 */
final class EventLimits {
    private EventLimits() {}

    static Optional<SwitchboardClientException> check(List<Event> events, Limits limits) {
        long allowed = limits.getMaxEventBytes();
        for (int i = 0; i < events.size(); i++) {
            long size = ThriftEvents.size(events.get(i));
            if (allowed > 0 && size > allowed) {
                return Optional.of(new SwitchboardClientException(
                        ErrorCode.PAYLOAD_TOO_LARGE,
                        "event " + (i + 1) + " of " + events.size() + " has " + size
                                + " bytes (key, payload and headers); the session allows at most " + allowed
                                + " bytes per event"));
            }
        }
        return Optional.empty();
    }
}
