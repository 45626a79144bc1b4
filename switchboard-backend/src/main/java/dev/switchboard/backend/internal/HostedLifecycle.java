package dev.switchboard.backend.internal;

import java.util.Optional;

/**
 * A hosted session's life on its node, as one pure transition function: whether it serves, is parked (it gave
 * back what it can get again on its next request) or is disposed. The protocol's own state is the session's
 * {@code ReadMachine}/{@code WriteMachine}; this is the node's view of it, changed from any thread (the reaper,
 * a dispose, a request arriving), so {@link HostedSession} holds it in one atomic reference.
 *
 * <pre>
 *   Serving --Park--> Parked --Request--> Serving        (Park: release what the session can get again)
 *   Serving, Parked --Dispose--> Disposed                (Release: once; the machine closes on the queue)
 * </pre>
 */
final class HostedLifecycle {
    private HostedLifecycle() {}

    sealed interface State {}

    record Serving() implements State {}

    record Parked() implements State {}

    record Disposed() implements State {}

    sealed interface Command {}

    /** A request arrived: a parked session serves again (and gets back what it gave on its own). */
    record Request() implements Command {}

    /** The session has been idle long enough to give back what it can get again. */
    record Park() implements Command {}

    record Dispose() implements Command {}

    enum Effect {
        /** Release what an idle session can get back later (on the session's queue). */
        PARK,
        /** Wake a blocked long poll and release everything the session holds (on its queue). */
        RELEASE
    }

    record Step(State state, Optional<Effect> effect) {
        static Step stay(State state) {
            return new Step(state, Optional.empty());
        }
    }

    static final State INITIAL = new Serving();

    static Step apply(State state, Command command) {
        return switch (state) {
            case Disposed disposed -> Step.stay(disposed);
            case Serving serving ->
                switch (command) {
                    case Request request -> Step.stay(serving);
                    case Park park -> new Step(new Parked(), Optional.of(Effect.PARK));
                    case Dispose dispose -> new Step(new Disposed(), Optional.of(Effect.RELEASE));
                };
            case Parked parked ->
                switch (command) {
                    case Request request -> new Step(new Serving(), Optional.empty());
                    case Park park -> Step.stay(parked);
                    case Dispose dispose -> new Step(new Disposed(), Optional.of(Effect.RELEASE));
                };
        };
    }
}
