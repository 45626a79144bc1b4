package dev.switchboard.core.session.simulation;

import dev.switchboard.protocol.ErrorCode;
import java.util.List;

/** What the backend answers a reader. */
sealed interface ReadAnswer {
    /** Batch {@code seq}; empty when the long poll found nothing. */
    record Events(long seq, List<Integer> events) implements ReadAnswer {}

    /** Batches up to {@code ackedSeq} are acknowledged. */
    record AckDone(long ackedSeq) implements ReadAnswer {}

    record Failed(ErrorCode code) implements ReadAnswer {}
}
