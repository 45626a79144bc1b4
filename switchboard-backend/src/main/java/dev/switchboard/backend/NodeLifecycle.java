package dev.switchboard.backend;

/**
 * A backend node's life as one pure transition function. {@link DrainState} is what it shows (presence, logs, the
 * {@code switchboard_drain_state} gauge); the machine also knows that a close has begun, so a second close does
 * nothing.
 *
 * <pre>
 *   Serving --Drain--> Draining --Close--> Closing --Spill--> Spilling --Finish--> Closed
 *   Serving --Close--> Closing                        Closing --Finish--> Closed
 * </pre>
 *
 * Every other (state, command) pair leaves the state as it is: the life only goes forward.
 */
final class NodeLifecycle {
    private NodeLifecycle() {}

    sealed interface State {
        DrainState shown();
    }

    /** Takes sessions and work. */
    record Serving() implements State {
        @Override
        public DrainState shown() {
            return DrainState.SERVING;
        }
    }

    /** Takes no sessions, reads or writes; commits, acks and disposes still work. */
    record Draining() implements State {
        @Override
        public DrainState shown() {
            return DrainState.DRAINING;
        }
    }

    /** Draining, and closing: waiting up to the drain timeout for commits in flight. */
    record Closing() implements State {
        @Override
        public DrainState shown() {
            return DrainState.DRAINING;
        }
    }

    /** The drain deadline passed: what Kafka has not acknowledged goes to the spill journal. */
    record Spilling() implements State {
        @Override
        public DrainState shown() {
            return DrainState.SPILLING;
        }
    }

    /** Everything released. */
    record Closed() implements State {
        @Override
        public DrainState shown() {
            return DrainState.CLOSED;
        }
    }

    enum Command {
        DRAIN,
        CLOSE,
        SPILL,
        FINISH
    }

    static final State INITIAL = new Serving();

    static State apply(State state, Command command) {
        return switch (state) {
            case Serving serving ->
                switch (command) {
                    case DRAIN -> new Draining();
                    case CLOSE -> new Closing();
                    case SPILL, FINISH -> serving;
                };
            case Draining draining -> command == Command.CLOSE ? new Closing() : draining;
            case Closing closing ->
                switch (command) {
                    case SPILL -> new Spilling();
                    case FINISH -> new Closed();
                    case DRAIN, CLOSE -> closing;
                };
            case Spilling spilling -> command == Command.FINISH ? new Closed() : spilling;
            case Closed closed -> closed;
        };
    }
}
