package dev.switchboard.client.internal;

import dev.switchboard.protocol.thrift.Event;
import java.util.List;

/**
 * One write request's worth of events with its chunk sequence number. The number is fixed for good once
 * assigned: a chunk resent on a new session keeps it, so its events keep their {@code sb-id}.
 */
record Chunk(long seq, List<Event> events, PublishRequest owner) {
    Chunk {
        events = List.copyOf(events);
    }
}
