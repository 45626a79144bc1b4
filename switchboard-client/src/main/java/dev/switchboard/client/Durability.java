package dev.switchboard.client;

/** How committed events are held, as the commit answer said. */
public enum Durability {
    /** Kafka acknowledged them with acks=all: they are on every in-sync replica. */
    REPLICATED,
    /**
     * A draining backend node wrote them to its spill journal (fsynced, on one node's disk) because Kafka had not
     * acknowledged them in time; the node puts them into Kafka when it starts again.
     */
    SPILLED;

    /** The weaker of the two: SPILLED when either is. */
    public Durability weakest(Durability other) {
        return this == SPILLED || other == SPILLED ? SPILLED : REPLICATED;
    }
}
