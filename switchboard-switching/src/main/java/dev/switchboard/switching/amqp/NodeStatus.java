package dev.switchboard.switching.amqp;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A backend node as an API node last heard of it through its presence beats.
 *
 * @param shard the node's shard
 * @param node the node id
 * @param state serving or draining
 * @param sessions the sessions the node hosts, when it reports them
 * @param inflight requests the node was handling when it sent the beat (its load)
 * @param version the node's software version
 * @param lastSeen when the last beat arrived
 * @param kafkaReachable whether the node reached Kafka when it sent the beat
 */
public record NodeStatus(
        String shard,
        String node,
        NodeState state,
        OptionalInt sessions,
        int inflight,
        String version,
        Instant lastSeen,
        boolean kafkaReachable) {
    public NodeStatus {
        Objects.requireNonNull(shard, "shard");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** True when the node takes new sessions: serving, and reaching Kafka. */
    public boolean takesSessions() {
        return state == NodeState.SERVING && kafkaReachable;
    }
}
