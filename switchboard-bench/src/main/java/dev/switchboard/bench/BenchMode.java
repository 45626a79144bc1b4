package dev.switchboard.bench;

import java.util.Locale;

/** What a bench run measures. */
public enum BenchMode {
    /** Publish events; latency is from handing a batch over to its commit (acks=all). */
    WRITE,
    /** Consume events produced beforehand (untimed); latency is one poll (and, for Switchboard, its ack). */
    READ,
    /** Publish and consume at once; latency is from handing an event over to receiving it. */
    ROUNDTRIP,
    /**
     * Fan-out: one writer at a steady rate while one subscriber, then many, tail the topic (Switchboard only);
     * latency is from handing an event over to each subscriber receiving it.
     */
    TAIL;

    /** The lower-case name used on the command line and in reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
