package dev.switchboard.switching.amqp;

/** What a backend node announces about itself in its presence beats. */
public enum NodeState {
    /** Takes new sessions and serves its existing ones. */
    SERVING,
    /** Serves its existing sessions but takes no new ones. */
    DRAINING,
    /** Detaching now: its queue is about to vanish (the last beat a node sends). */
    LEAVING
}
