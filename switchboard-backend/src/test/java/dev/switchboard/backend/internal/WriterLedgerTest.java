package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WriterLedgerTest {

    @Test
    void anUnknownWriterHasCommittedNothing() {
        assertThat(new WriterLedger(2).lastCommitted("w")).isZero();
    }

    @Test
    void theLastCommittedSeqNeverMovesBackwards() {
        // Given
        WriterLedger ledger = new WriterLedger(2);

        // When
        ledger.committed("w", 5);
        ledger.committed("w", 3);

        // Then
        assertThat(ledger.lastCommitted("w")).isEqualTo(5);
    }

    @Test
    void theLeastRecentlyUsedWriterIsForgottenFirst() {
        // Given
        WriterLedger ledger = new WriterLedger(2);
        ledger.committed("a", 1);
        ledger.committed("b", 2);
        ledger.lastCommitted("a");

        // When
        ledger.committed("c", 3);

        // Then
        assertThat(ledger.lastCommitted("a")).isEqualTo(1);
        assertThat(ledger.lastCommitted("b")).isZero();
        assertThat(ledger.lastCommitted("c")).isEqualTo(3);
    }
}
