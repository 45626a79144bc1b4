package dev.switchboard.switching.amqp.internal;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.NodeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API node's view of the live backend nodes of every shard, fed by presence beats. A node is live until it has
 * been silent for the presence timeout (and at least {@value #MISSED_BEATS} of its own beat intervals), or says it
 * is leaving. Thread-safe.
 *
 * <p>Silence is judged in the order the shard's broker delivered, not by this node's clock: the API node sends
 * itself a probe through its own presence queue every few hundred milliseconds ({@link #probe}), and a node is
 * silent for as long as the probes that came through the queue after its last beat were sent. A starved API node
 * (its own CPU quota used up, a long GC pause, a backlog of replies ahead of the beats) reads beats and probes
 * late alike, so it never takes its own lateness for the backend's silence: beats still queued are ahead of the
 * probes sent after them. Before the first probe of a shard came back, this node's clock stands in.
 */
public final class PresenceTracker {
    private static final Logger LOGGER = LoggerFactory.getLogger(PresenceTracker.class);
    static final int MISSED_BEATS = 3;
    /** The default presence timeout: three of the default one-second beats. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private final Clock clock;
    private final Duration timeout;
    /** shard -> node id -> the node's last beat. */
    private final Map<String, Map<String, Heard>> shards = new ConcurrentHashMap<>();
    /** shard -> when the newest probe that came back through the shard's presence queue was sent (our clock). */
    private final Map<String, Instant> probes = new ConcurrentHashMap<>();

    /**
     * A beat, when it was read, and the queue's time then: the send time of the newest probe read before it (or
     * the clock, before any probe).
     */
    private record Heard(Presence beat, Instant at, Instant queueTime) {
        boolean expired(Instant horizon, Duration timeout) {
            Duration interval = beat.interval().multipliedBy(MISSED_BEATS);
            Duration allowed = interval.compareTo(timeout) > 0 ? interval : timeout;
            return queueTime.plus(allowed).isBefore(horizon);
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

    /** With the default presence timeout ({@link #DEFAULT_TIMEOUT}). */
    public PresenceTracker(Clock clock) {
        this(clock, DEFAULT_TIMEOUT);
    }

    /** {@code timeout}: how long a node may be silent before it is taken for gone. */
    public PresenceTracker(Clock clock, Duration timeout) {
        this.clock = clock;
        this.timeout = timeout;
    }

    /**
     * Records a probe of this node's, sent at {@code sentAt} by this node's clock, read back from {@code shard}'s
     * presence queue now: every beat queued before it has been read. A probe from the future is ignored (it is not
     * ours: this node's clock made every probe of its own).
     */
    public void probe(String shard, Instant sentAt) {
        if (sentAt.isAfter(clock.instant())) {
            LOGGER.debug("presence probe from the future ignored shard={}", shard);
            return;
        }
        probes.merge(shard, sentAt, (old, fresh) -> fresh.isAfter(old) ? fresh : old);
    }

    /** How long a node may be silent before it is taken for gone. */
    public Duration timeout() {
        return timeout;
    }

    /** The send time of the newest probe read back from {@code shard}'s presence queue; empty before the first. */
    Optional<Instant> probedUpTo(String shard) {
        return Optional.ofNullable(probes.get(shard));
    }

    /** How far the shard's presence queue has been read: the newest probe read back, or the clock before any. */
    private Instant horizon(String shard) {
        Instant probe = probes.get(shard);
        return probe == null ? clock.instant() : probe;
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
        Heard previous = nodes.put(beat.node(), new Heard(beat, clock.instant(), horizon(beat.shard())));
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
        Instant horizon = horizon(shard);
        nodes.values().removeIf(heard -> forget(heard, horizon));
        return nodes.values().stream()
                .map(Heard::status)
                .sorted(Comparator.comparing(NodeStatus::node))
                .toList();
    }

    /** True while node {@code node} of {@code shard} is live (not silent for longer than the presence timeout). */
    public boolean isLive(String shard, String node) {
        Heard heard = shards.getOrDefault(shard, Map.of()).get(node);
        return heard != null && !heard.expired(horizon(shard), timeout);
    }

    /**
     * True when node {@code node} of {@code shard} was heard (and has not left) but not at or after {@code since}
     * (by this node's clock). False for a node never heard or one that left.
     */
    public boolean silentSince(String shard, String node, Instant since) {
        Heard heard = shards.getOrDefault(shard, Map.of()).get(node);
        return heard != null && heard.at().isBefore(since);
    }

    /** True when some live node of {@code shard} takes new sessions (serving, and reaching Kafka). */
    public boolean hasServingNode(String shard) {
        return nodes(shard).stream().anyMatch(NodeStatus::takesSessions);
    }

    private boolean forget(Heard heard, Instant horizon) {
        if (!heard.expired(horizon, timeout)) {
            return false;
        }
        LOGGER.warn(
                "backend node silent for the presence timeout shard={} node={} silent-ms={} timeout-ms={}",
                heard.beat().shard(),
                heard.beat().node(),
                Duration.between(heard.queueTime(), horizon).toMillis(),
                timeout.toMillis());
        return true;
    }
}
