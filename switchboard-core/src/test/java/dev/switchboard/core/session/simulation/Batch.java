package dev.switchboard.core.session.simulation;

import java.util.List;

/** Batch {@code seq}: the topic's events at offsets {@code from..from+events.size()-1}. */
public record Batch(long seq, int from, List<Integer> events) {
    public Batch {
        events = List.copyOf(events);
    }

    /** The offset after the batch's last event: where the cursor moves when it is acknowledged. */
    int end() {
        return from + events.size();
    }
}
