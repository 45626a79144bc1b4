package dev.switchboard.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A machine's {@link Rejection} becomes the protocol error the client sees; a {@link Transition} is data. */
class RejectionTest {

    @Test
    void outOfSequenceCarriesTheExpectedSeq() {
        // When
        SwitchboardException error =
                Rejection.outOfSequence(12, "read 14 out of sequence").toException();

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.OUT_OF_SEQUENCE);
        assertThat(error.expectedSeq()).hasValue(12);
        assertThat(error.retryAfterMs()).isEmpty();
        assertThat(error.getMessage()).isEqualTo("read 14 out of sequence");
    }

    @Test
    void busyCarriesTheRetryAfter() {
        // When
        SwitchboardException error = new Rejection(ErrorCode.BUSY, "window full", -1, 20).toException();

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.BUSY);
        assertThat(error.retryAfterMs()).hasValue(20);
        assertThat(error.expectedSeq()).isEmpty();
    }

    @Test
    void otherCodesCarryOnlyTheirMessage() {
        // When
        SwitchboardException error =
                Rejection.of(ErrorCode.SESSION_LOST, "session is closed").toException();

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.SESSION_LOST);
        assertThat(error.getMessage()).isEqualTo("session is closed");
        assertThat(error.expectedSeq()).isEmpty();
        assertThat(error.retryAfterMs()).isEmpty();
    }

    @Test
    void aTransitionKeepsItsEffectsAsGiven() {
        // Given a mutable list of effects
        List<ReadMachine.Effect> effects = new ArrayList<>(List.of(new ReadMachine.Fetch(1)));

        // When a transition is made from it and the list changes afterwards
        Transition<ReadMachine.State, ReadMachine.Effect> transition =
                new Transition<>(new ReadMachine.Idle(0), effects);
        effects.add(new ReadMachine.Release());

        // Then the transition is unaffected and cannot be changed
        assertThat(transition.effects()).containsExactly(new ReadMachine.Fetch(1));
        assertThatExceptionOfType(UnsupportedOperationException.class)
                .isThrownBy(() -> transition.effects().add(new ReadMachine.Release()));
    }
}
