package dev.switchboard.client.internal;

import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;

/**
 * Runs the SDK's side of the mirrored state machines. The SDK applies each command as it sends it and each
 * answer as an event; since it only sends what its own mirror allows, a rejection here is a bug in the SDK, not
 * something the server did, and fails loudly.
 */
final class Mirror {
    private Mirror() {}

    static WriteMachine.State write(WriteMachine.State state, WriteMachine.Command command) {
        return accepted(WriteMachine.apply(state, command), command);
    }

    /** The open write state; a closed one means the publisher was used after it was disposed. */
    static WriteMachine.Open open(WriteMachine.State state) {
        if (state instanceof WriteMachine.Open open) {
            return open;
        }
        throw new IllegalStateException("the write session is closed");
    }

    /** The next state of {@code transition}, which the SDK's {@code command} produced; a rejection is a bug. */
    static <S> S accepted(Transition<S, ?> transition, Object command) {
        for (Object effect : transition.effects()) {
            if (effect instanceof Rejection rejection) {
                throw new IllegalStateException("the SDK's session mirror refused " + command + ": " + rejection.code()
                        + " " + rejection.message());
            }
        }
        return transition.state();
    }
}
