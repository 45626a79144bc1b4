package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.NodeStatus;
import dev.switchboard.testkit.HandClock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PresenceTrackerTest {
    private final HandClock clock = new HandClock();
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

    @Test
    void aReaderThatFallsBehindDoesNotTakeItsOwnLatenessForSilence() {
        // Given a node heard after this API node's probe of t0 came back through the presence queue
        Instant t0 = clock.instant();
        tracker.probe("s0", t0);
        tracker.beat(beat("n1", NodeState.SERVING));

        // When this API node reads nothing for ten seconds (starved: its beats and probes wait in line)
        clock.advance(Duration.ofSeconds(10));

        // Then the node is live: no probe sent after its beat has come through yet
        assertThat(tracker.isLive("s0", "n1")).isTrue();
        assertThat(tracker.nodes("s0")).extracting(NodeStatus::node).containsExactly("n1");

        // And as the queue is read in order, beats between the probes keep it live
        tracker.probe("s0", t0.plusMillis(1000));
        tracker.beat(beat("n1", NodeState.SERVING));
        tracker.probe("s0", t0.plusMillis(4000));
        assertThat(tracker.isLive("s0", "n1")).isTrue();

        // Until a probe sent more than the timeout after its last beat comes through first: then it is gone
        tracker.probe("s0", t0.plusMillis(4001));
        assertThat(tracker.isLive("s0", "n1")).isFalse();
        assertThat(tracker.nodes("s0")).isEmpty();
    }

    @Test
    void probesOfOneShardSayNothingOfAnother() {
        tracker.beat(beat("n1", NodeState.SERVING));
        tracker.probe("s1", clock.instant());
        clock.advance(Duration.ofSeconds(10));
        tracker.probe("s1", clock.instant());

        // s0 has no probe back yet: its silence is judged by the clock
        assertThat(tracker.isLive("s0", "n1")).isFalse();
    }

    @Test
    void aProbeFromTheFutureIsIgnored() {
        tracker.probe("s0", clock.instant());
        tracker.beat(beat("n1", NodeState.SERVING));

        // a probe this node cannot have sent (its own clock has not got there): not ours, ignored
        tracker.probe("s0", clock.instant().plus(Duration.ofHours(1)));

        assertThat(tracker.isLive("s0", "n1")).isTrue();
    }

    @Test
    void theTimeoutIsConfigurableButNeverUnderThreeOfTheNodesBeats() {
        PresenceTracker patient = new PresenceTracker(clock, Duration.ofSeconds(10));
        PresenceTracker eager = new PresenceTracker(clock, Duration.ofMillis(500));
        patient.beat(beat("n1", NodeState.SERVING));
        eager.beat(beat("n1", NodeState.SERVING));

        clock.advance(Duration.ofMillis(1000));
        assertThat(eager.isLive("s0", "n1")).isTrue(); // three of the node's one-second beats, not 500 ms

        clock.advance(Duration.ofMillis(2001));
        assertThat(patient.isLive("s0", "n1")).isTrue();
        assertThat(eager.isLive("s0", "n1")).isFalse();

        clock.advance(Duration.ofMillis(7000));
        assertThat(patient.isLive("s0", "n1")).isFalse();
    }

    private static Presence beat(String node, NodeState state) {
        return new Presence("s0", node, state, OptionalInt.of(4), 1, Duration.ofSeconds(1), "test", true);
    }
}
