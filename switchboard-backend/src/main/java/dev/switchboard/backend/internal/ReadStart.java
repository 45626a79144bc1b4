package dev.switchboard.backend.internal;

import dev.switchboard.core.cursor.Cursor;

/** Where a new read session starts: a verified cursor, or a start named at allocation. */
sealed interface ReadStart {
    /** The oldest event still in each partition. */
    record Earliest() implements ReadStart {}

    /** After the newest event of each partition: only events written from now on. */
    record Latest() implements ReadStart {}

    /** The first event of each partition whose timestamp is at or after {@code timestampMs}. */
    record AtTimestamp(long timestampMs) implements ReadStart {}

    /** A client's cursor; partitions it does not name start at the earliest event. */
    record FromCursor(Cursor cursor) implements ReadStart {}
}
