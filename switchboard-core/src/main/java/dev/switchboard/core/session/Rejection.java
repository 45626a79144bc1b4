package dev.switchboard.core.session;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;

/** Why a state machine refused a command; the state is unchanged. Shared effect of both machines. */
public record Rejection(ErrorCode code, String message, long expectedSeq, long retryAfterMs)
        implements ReadMachine.Effect, WriteMachine.Effect {

    static Rejection outOfSequence(long expectedSeq, String message) {
        return new Rejection(ErrorCode.OUT_OF_SEQUENCE, message, expectedSeq, -1);
    }

    static Rejection of(ErrorCode code, String message) {
        return new Rejection(code, message, -1, -1);
    }

    public SwitchboardException toException() {
        return switch (code) {
            case OUT_OF_SEQUENCE -> SwitchboardException.outOfSequence(expectedSeq, message);
            case BUSY -> SwitchboardException.busy(retryAfterMs, message);
            default -> SwitchboardException.of(code, message);
        };
    }
}
