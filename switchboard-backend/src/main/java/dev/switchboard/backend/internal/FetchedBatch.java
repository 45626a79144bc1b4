package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.Event;
import java.util.List;
import java.util.Map;

/**
 * Events fetched for one read, and for each partition they came from, the offset after the last one: what the
 * cursor moves to once the batch is acknowledged.
 */
record FetchedBatch(List<Event> events, Map<Integer, Long> nextOffsets) {
    static final FetchedBatch EMPTY = new FetchedBatch(List.of(), Map.of());

    FetchedBatch {
        events = List.copyOf(events);
        nextOffsets = Map.copyOf(nextOffsets);
    }

    boolean isEmpty() {
        return events.isEmpty();
    }
}
