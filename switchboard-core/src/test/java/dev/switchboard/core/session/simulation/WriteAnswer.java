package dev.switchboard.core.session.simulation;

import dev.switchboard.protocol.ErrorCode;

/** What the backend answers a writer. */
sealed interface WriteAnswer {
    /** Chunk {@code seq} is staged (for the first time or again). */
    record Staged(long seq) implements WriteAnswer {}

    /** Every chunk up to {@code committed} is in Kafka. */
    record CommitDone(long committed) implements WriteAnswer {}

    record Failed(ErrorCode code) implements WriteAnswer {}
}
