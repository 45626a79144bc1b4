package dev.switchboard.core.session;

import java.util.List;

/**
 * The result of one step of a session state machine: the next state and the effects the caller must run,
 * in order. Effects are data; the caller (backend host or SDK) performs the I/O they describe.
 */
public record Transition<S, E>(S state, List<E> effects) {
    public Transition {
        effects = List.copyOf(effects);
    }

    @SafeVarargs
    static <S, E> Transition<S, E> of(S state, E... effects) {
        return new Transition<>(state, List.of(effects));
    }
}
