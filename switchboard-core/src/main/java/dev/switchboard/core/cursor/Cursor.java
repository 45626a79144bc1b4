package dev.switchboard.core.cursor;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A reader's position in a topic: for each partition, the offset of the next event to read. Clients only ever
 * see it encoded by {@link CursorCodec}, so they cannot forge or edit it.
 */
public record Cursor(String topic, SortedMap<Integer, Long> offsets) {
    public Cursor {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic is empty");
        }
        offsets.forEach((partition, offset) -> {
            if (partition < 0 || offset < 0) {
                throw new IllegalArgumentException("negative partition or offset: " + partition + "=" + offset);
            }
        });
        offsets = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
    }

    public static Cursor of(String topic, Map<Integer, Long> offsets) {
        return new Cursor(topic, new TreeMap<>(offsets));
    }

    /** This cursor with the given partitions moved to new offsets. */
    public Cursor advancedTo(Map<Integer, Long> nextOffsets) {
        TreeMap<Integer, Long> merged = new TreeMap<>(offsets);
        merged.putAll(nextOffsets);
        return new Cursor(topic, merged);
    }
}
