package dev.switchboard.backend;

/**
 * Where a backend node stands in its life, as presence, logs and the {@code switchboard_drain_state} gauge
 * ({@link #code()}) show it: {@code SERVING -> DRAINING -> [SPILLING ->] CLOSED}. The node's life itself, with its
 * transitions, is {@link NodeLifecycle}.
 */
public enum DrainState {
    /** Takes sessions and work. */
    SERVING(0),
    /** Takes no sessions, no reads or writes; commits, acks and disposes still work; in-flight commits finish. */
    DRAINING(1),
    /** The drain deadline passed: what Kafka has not acknowledged goes to the spill journal. */
    SPILLING(2),
    /** Everything released. */
    CLOSED(3);

    private final int code;

    DrainState(int code) {
        this.code = code;
    }

    /** The stable number of this state (the gauge's value). */
    public int code() {
        return code;
    }
}
