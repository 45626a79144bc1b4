package dev.switchboard.backend;

import java.util.Locale;

/**
 * What a node's fail-closed reads refused to deliver, counted since the node started: records without a valid
 * envelope while encryption is on. Each is skipped (the reader's cursor moves past it), logged at WARN with its
 * topic, partition and offset, and copied to its dead-letter topic. A record is counted once per node however
 * many sessions meet it (the node remembers the last {@value #REMEMBERED} it rejected). Thread-safe; read by
 * metrics as {@code switchboard_records_rejected_total{reason}}.
 */
public interface RejectedRecords {
    /** How many rejected records a node remembers so that readers meeting them again do not count them again. */
    int REMEMBERED = 10_000;

    /** Why a record was not delivered; {@link #label} is the metrics label. */
    enum Reason {
        /** It claims to be sealed but does not open: altered, forged, truncated, or under a key nobody made. */
        UNDECRYPTABLE,
        /** It is not sealed (no {@code sb-enc} header), e.g. produced with a plain Kafka producer. */
        UNSEALED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Records rejected for {@code reason}. */
    long rejected(Reason reason);

    /** Copies of rejected records Kafka acknowledged in a dead-letter topic. */
    long deadLettered();

    /** Copies that could not be made (dead-letter topic not creatable, Kafka failed, too many pending); logged. */
    long deadLetterFailures();
}
