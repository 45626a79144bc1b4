package dev.switchboard.client.internal;

import dev.switchboard.client.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the events of one publish into chunks (write requests) of at most {@code maxEvents} events and, as far
 * as one event allows, {@code maxBytes} bytes as the session limits count them, keeping their order.
 */
final class Chunker {
    private Chunker() {}

    static List<List<Event>> split(List<Event> events, int maxEvents, long maxBytes) {
        if (maxEvents < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("chunk limits must be positive: " + maxEvents + ", " + maxBytes);
        }
        List<List<Event>> chunks = new ArrayList<>();
        List<Event> current = new ArrayList<>();
        long bytes = 0;
        for (Event event : events) {
            long size = ThriftEvents.size(event);
            if (!current.isEmpty() && (current.size() >= maxEvents || bytes + size > maxBytes)) {
                chunks.add(List.copyOf(current));
                current.clear();
                bytes = 0;
            }
            current.add(event);
            bytes += size;
        }
        if (!current.isEmpty()) {
            chunks.add(List.copyOf(current));
        }
        return chunks;
    }
}
