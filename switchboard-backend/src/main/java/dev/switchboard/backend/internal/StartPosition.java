package dev.switchboard.backend.internal;

import dev.switchboard.core.cursor.Cursor;

/** Where a new read session starts: a verified cursor, or a start named at allocation. */
sealed interface StartPosition {
    /** The oldest event still in each partition. */
    record Earliest() implements StartPosition {}

    /** After the newest event of each partition: only events written from now on. */
    record Latest() implements StartPosition {}

    /** The first event of each partition whose timestamp is at or after {@code timestampMs}. */
    record AtTimestamp(long timestampMs) implements StartPosition {}

    /** A client's cursor; partitions it does not name start at the earliest event. */
    record FromCursor(Cursor cursor) implements StartPosition {}
}
