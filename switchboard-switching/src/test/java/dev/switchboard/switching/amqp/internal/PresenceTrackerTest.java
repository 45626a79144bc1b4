package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.NodeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PresenceTrackerTest {
    private final MutableClock clock = new MutableClock();
    private final PresenceTracker tracker = new PresenceTracker(clock);

    @Test
    void nodeIsLiveUntilItMissesThreeBeats() {
        // Given a node that beats every second
        tracker.beat(beat("n1", NodeState.SERVING));

        // When just under three intervals pass
        clock.advance(Duration.ofMillis(3000));

        // Then it is still live and serving
        assertThat(tracker.nodes("s0")).extracting(NodeStatus::node).containsExactly("n1");
        assertThat(tracker.hasServingNode("s0")).isTrue();

        // And when more than three intervals have passed, it is gone
        clock.advance(Duration.ofMillis(1));
        assertThat(tracker.nodes("s0")).isEmpty();
        assertThat(tracker.hasServingNode("s0")).isFalse();
    }

    @Test
    void isLiveAnswersForOneNode() {
        // Given a node that beats every second, on a tracker that never heard of n2
        tracker.beat(beat("n1", NodeState.DRAINING));

        // Then n1 is live (draining nodes still serve their sessions), n2 is not
        assertThat(tracker.isLive("s0", "n1")).isTrue();
        assertThat(tracker.isLive("s0", "n2")).isFalse();
        assertThat(tracker.isLive("s1", "n1")).isFalse();

        // And once n1 missed three beats, or left, it is not live either
        clock.advance(Duration.ofMillis(3001));
        assertThat(tracker.isLive("s0", "n1")).isFalse();
        tracker.beat(beat("n1", NodeState.SERVING));
        assertThat(tracker.isLive("s0", "n1")).isTrue();
        tracker.beat(beat("n1", NodeState.LEAVING));
        assertThat(tracker.isLive("s0", "n1")).isFalse();
    }

    @Test
    void eachBeatRestartsTheCount() {
        tracker.beat(beat("n1", NodeState.SERVING));
        clock.advance(Duration.ofMillis(2500));
        tracker.beat(beat("n1", NodeState.SERVING));
        clock.advance(Duration.ofMillis(2500));

        assertThat(tracker.nodes("s0")).singleElement().satisfies(node -> {
            assertThat(node.lastSeen()).isEqualTo(clock.instant().minusMillis(2500));
            assertThat(node.sessions()).hasValue(4);
        });
    }

    @Test
    void drainingNodeIsLiveButTakesNoSessions() {
        tracker.beat(beat("n1", NodeState.DRAINING));

        assertThat(tracker.nodes("s0")).extracting(NodeStatus::state).containsExactly(NodeState.DRAINING);
        assertThat(tracker.hasServingNode("s0")).isFalse();
    }

    @Test
    void leavingNodeIsForgottenAtOnce() {
        tracker.beat(beat("n1", NodeState.SERVING));
        tracker.beat(beat("n2", NodeState.SERVING));

        tracker.beat(beat("n1", NodeState.LEAVING));

        assertThat(tracker.nodes("s0")).extracting(NodeStatus::node).containsExactly("n2");
    }

    @Test
    void shardsAreKeptApart() {
        tracker.beat(beat("n1", NodeState.SERVING));

        assertThat(tracker.nodes("s1")).isEmpty();
        assertThat(tracker.hasServingNode("s1")).isFalse();
    }

    @Test
    void aServingNodeThatDoesNotReachKafkaTakesNoSessions() {
        // Given a serving node that reports Kafka unreachable
        tracker.beat(
                new Presence("s0", "n1", NodeState.SERVING, OptionalInt.of(0), 0, Duration.ofSeconds(1), "t", false));

        // Then it is live but the shard takes no sessions
        assertThat(tracker.nodes("s0")).extracting(NodeStatus::kafkaReachable).containsExactly(false);
        assertThat(tracker.hasServingNode("s0")).isFalse();

        // And once it reaches Kafka again, it does
        tracker.beat(beat("n1", NodeState.SERVING));
        assertThat(tracker.hasServingNode("s0")).isTrue();
    }

    private static Presence beat(String node, NodeState state) {
        return new Presence("s0", node, state, OptionalInt.of(4), 1, Duration.ofSeconds(1), "test", true);
    }

    /** A clock that tests move by hand. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
