package dev.switchboard.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import java.util.List;

/**
 * One row of a transition table: from {@code state}, {@code command} must lead to {@code next} with exactly
 * {@code effects}. A {@link Rejection} is compared by code, expected seq and retry-after; its message only has
 * to say something, since messages are for people and may be reworded.
 */
record TableRow<S, C, E>(String name, S state, C command, S next, List<E> effects) {

    /** A rejection to expect: only the message is left open. */
    static Rejection rejected(ErrorCode code, long expectedSeq, long retryAfterMs) {
        return new Rejection(code, "(any message)", expectedSeq, retryAfterMs);
    }

    static Rejection outOfSequence(long expectedSeq) {
        return rejected(ErrorCode.OUT_OF_SEQUENCE, expectedSeq, -1);
    }

    static Rejection rejected(ErrorCode code) {
        return rejected(code, -1, -1);
    }

    void assertMatches(Transition<S, E> actual) {
        assertThat(actual.state()).as("next state").isEqualTo(next);
        assertThat(actual.effects()).as("effects").hasSameSizeAs(effects);
        for (int i = 0; i < effects.size(); i++) {
            E want = effects.get(i);
            E got = actual.effects().get(i);
            if (want instanceof Rejection wanted && got instanceof Rejection rejection) {
                assertThat(rejection.message()).as("rejection message").isNotBlank();
                assertThat(rejection)
                        .as("effect " + i)
                        .usingRecursiveComparison()
                        .ignoringFields("message")
                        .isEqualTo(wanted);
            } else {
                assertThat(got).as("effect " + i).isEqualTo(want);
            }
        }
    }

    @Override
    public String toString() {
        return name + ": " + state + " + " + command;
    }
}
