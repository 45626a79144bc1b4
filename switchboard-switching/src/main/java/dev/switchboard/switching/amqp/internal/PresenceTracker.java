package dev.switchboard.switching.amqp.internal;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.NodeStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API node's view of the live backend nodes of every shard, fed by presence beats. A node is live until it
 * misses {@value #MISSED_BEATS} of its own beat intervals, or says it is leaving. Thread-safe.
 */
public final class PresenceTracker {
    private static final Logger LOGGER = LoggerFactory.getLogger(PresenceTracker.class);
    static final int MISSED_BEATS = 3;

    private final Clock clock;
    /** shard -> node id -> the node's last beat. */
    private final Map<String, Map<String, Heard>> shards = new ConcurrentHashMap<>();

    private record Heard(Presence beat, Instant at) {
        boolean expired(Instant now) {
            return at.plus(beat.interval().multipliedBy(MISSED_BEATS)).isBefore(now);
        }

        NodeStatus status() {
            return new NodeStatus(
                    beat.shard(),
                    beat.node(),
                    beat.state(),
                    beat.sessions(),
                    beat.inflight(),
                    beat.version(),
                    at,
                    beat.kafkaReachable());
        }
    }

    public PresenceTracker(Clock clock) {
        this.clock = clock;
    }

    /** Records a beat heard now. */
    public void beat(Presence beat) {
        Map<String, Heard> nodes = shards.computeIfAbsent(beat.shard(), shard -> new ConcurrentHashMap<>());
        if (beat.state() == NodeState.LEAVING) {
            if (nodes.remove(beat.node()) != null) {
                LOGGER.info("backend node left shard={} node={}", beat.shard(), beat.node());
            }
            return;
        }
        Heard previous = nodes.put(beat.node(), new Heard(beat, clock.instant()));
        if (previous == null || previous.beat().state() != beat.state()) {
            LOGGER.info("backend node seen shard={} node={} state={}", beat.shard(), beat.node(), beat.state());
        }
        if (previous == null ? !beat.kafkaReachable() : previous.beat().kafkaReachable() != beat.kafkaReachable()) {
            if (beat.kafkaReachable()) {
                LOGGER.info("backend node reaches Kafka again shard={} node={}", beat.shard(), beat.node());
            } else {
                LOGGER.warn("backend node does not reach Kafka shard={} node={}", beat.shard(), beat.node());
            }
        }
    }

    /** The live nodes of {@code shard}, by node id; forgets the nodes that missed too many beats. */
    public List<NodeStatus> nodes(String shard) {
        Map<String, Heard> nodes = shards.getOrDefault(shard, Map.of());
        Instant now = clock.instant();
        nodes.values().removeIf(heard -> forget(heard, now));
        return nodes.values().stream()
                .map(Heard::status)
                .sorted(Comparator.comparing(NodeStatus::node))
                .toList();
    }

    /** True while node {@code node} of {@code shard} is live (heard from within its last three beat intervals). */
    public boolean isLive(String shard, String node) {
        Heard heard = shards.getOrDefault(shard, Map.of()).get(node);
        return heard != null && !heard.expired(clock.instant());
    }

    /** True when some live node of {@code shard} takes new sessions (serving, and reaching Kafka). */
    public boolean hasServingNode(String shard) {
        return nodes(shard).stream().anyMatch(NodeStatus::takesSessions);
    }

    private static boolean forget(Heard heard, Instant now) {
        if (!heard.expired(now)) {
            return false;
        }
        LOGGER.warn(
                "backend node missed {} beats shard={} node={}",
                MISSED_BEATS,
                heard.beat().shard(),
                heard.beat().node());
        return true;
    }
}
