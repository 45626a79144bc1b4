package dev.switchboard.client;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a new subscriber starts reading when its {@link CursorStore} holds no cursor yet. A saved cursor always
 * wins over the start position.
 */
public sealed interface StartPosition {

    /** The oldest event still in the topic. */
    static StartPosition earliest() {
        return new Earliest();
    }

    /** Only events published after the subscriber's session was allocated. */
    static StartPosition latest() {
        return new Latest();
    }

    /** The first events with a timestamp at or after {@code timestamp}. */
    static StartPosition at(Instant timestamp) {
        return new AtTimestamp(timestamp);
    }

    /** Start from the oldest event. */
    record Earliest() implements StartPosition {}

    /** Start after the newest event. */
    record Latest() implements StartPosition {}

    /** Start from the first event at or after {@code timestamp}. */
    record AtTimestamp(Instant timestamp) implements StartPosition {
        public AtTimestamp {
            Objects.requireNonNull(timestamp, "timestamp");
        }
    }
}
