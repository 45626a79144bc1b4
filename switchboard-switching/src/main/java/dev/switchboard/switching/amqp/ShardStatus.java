package dev.switchboard.switching.amqp;

import java.util.List;
import java.util.Objects;

/**
 * One shard as an API node sees it, for readiness, metrics and {@code switchboard status}.
 *
 * @param shard the shard name
 * @param connected true while the API node's connection to the shard's broker is up
 * @param nodes the shard's live backend nodes (heard from within three beats), by node id
 */
public record ShardStatus(String shard, boolean connected, List<NodeStatus> nodes) {
    public ShardStatus {
        Objects.requireNonNull(shard, "shard");
        nodes = List.copyOf(nodes);
    }

    /**
     * True when new sessions may go to this shard: its broker is reachable and some node is serving and reaches
     * Kafka.
     */
    public boolean takesSessions() {
        return connected && nodes.stream().anyMatch(NodeStatus::takesSessions);
    }
}
