package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.NodeStatus;
import dev.switchboard.switching.amqp.internal.AllocationChooser.Candidate;
import dev.switchboard.switching.amqp.internal.AllocationChooser.Choice;
import dev.switchboard.switching.amqp.internal.AllocationChooser.Directed;
import dev.switchboard.switching.amqp.internal.AllocationChooser.SharedQueue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AllocationChooserTest {
    private final AllocationChooser chooser = new AllocationChooser(new Random(14));

    @Test
    void fewerThanTwoNodesTakingSessionsMeansTheSharedQueue() {
        // no node, one node, and one node beside nodes that take no sessions: the shared queue each time
        assertThat(chooser.choose(List.of())).isEqualTo(new SharedQueue());
        assertThat(chooser.choose(List.of(serving("a", 0)))).isEqualTo(new SharedQueue());
        assertThat(chooser.choose(List.of(serving("a", 0), draining("b"), kafkaDown("c"))))
                .isEqualTo(new SharedQueue());
        assertThat(chooser.tracked()).isEmpty();
    }

    @Test
    void theLowerEstimateWins() {
        // Given two nodes, one hosting fewer sessions
        List<NodeStatus> nodes = List.of(serving("busy", 10), serving("idle", 3));

        // When a few sessions are allocated (fewer than the difference)
        List<Choice> choices = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            choices.add(chooser.choose(nodes));
        }

        // Then the idle one gets every one of them
        assertThat(choices).containsOnly(new Directed("idle"));
    }

    @Test
    void ofThreeNodesTheMostLoadedIsNeverChosen() {
        // Given three nodes with different loads: any pair drawn holds a less loaded one than "heavy"
        for (int i = 0; i < 200; i++) {
            assertThat(AllocationChooser.pick(
                            List.of(new Candidate("light", 0), new Candidate("middle", 5), new Candidate("heavy", 9)),
                            new Random(i)))
                    .isNotEqualTo(new Directed("heavy"));
        }
    }

    @Test
    void tiesGoEitherWay() {
        Map<Choice, Integer> seen = new HashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            seen.merge(
                    AllocationChooser.pick(List.of(new Candidate("a", 4), new Candidate("b", 4)), random),
                    1,
                    Integer::sum);
        }
        assertThat(seen).containsOnlyKeys(new Directed("a"), new Directed("b"));
        assertThat(seen.values()).allSatisfy(count -> assertThat(count).isBetween(60, 140));
    }

    @Test
    void aBurstBeforeTheNextBeatSpreadsByTheDirectedCounts() {
        // Given two idle nodes whose beats say nothing new during a burst
        List<NodeStatus> nodes = List.of(serving("a", 0), serving("b", 0));

        // When 20 sessions are allocated at once
        Map<Choice, Integer> spread = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            spread.merge(chooser.choose(nodes), 1, Integer::sum);
        }

        // Then each node gets half: every allocation raised its node's estimate
        assertThat(spread).containsEntry(new Directed("a"), 10).containsEntry(new Directed("b"), 10);
    }

    @Test
    void directedCountsRaiseTheEstimateUntilTheNextBeatCountsThem() {
        // Given "a" hosting 0 sessions and "b" 5, by their beats
        // When 5 sessions are directed to "a" and answered
        for (int i = 0; i < 5; i++) {
            assertThat(chooser.choose(List.of(serving("a", 0), serving("b", 5))))
                    .isEqualTo(new Directed("a"));
            chooser.answered("a");
        }

        // Then "a" counts as hosting 5 until its next beat: "b" with 4 wins
        assertThat(chooser.choose(List.of(serving("a", 0), serving("b", 4)))).isEqualTo(new Directed("b"));

        // And when a's next beat announces the 5, they are not counted twice: "a" (5) wins against "b" (6 + 1 directed)
        chooser.heard("a");
        assertThat(chooser.choose(List.of(serving("a", 5), serving("b", 6)))).isEqualTo(new Directed("a"));
    }

    @Test
    void allocationsStillUnansweredAtABeatStayCounted() {
        // Given 3 allocations directed to "a" (hosting 0; "b" hosts 3), none answered yet (a slow node)
        for (int i = 0; i < 3; i++) {
            assertThat(chooser.choose(List.of(serving("a", 0), serving("b", 3))))
                    .isEqualTo(new Directed("a"));
        }

        // When a's next beat still says 0 sessions (it has made none of them yet)
        chooser.heard("a");

        // Then the 3 still count: "b" with 2 wins against "a" (0 + 3)
        assertThat(chooser.choose(List.of(serving("a", 0), serving("b", 2)))).isEqualTo(new Directed("b"));

        // And once they are answered and a beat counts them, only the beat's figure stays: "a" (3) wins against
        // "b" (4 + 1 directed)
        chooser.answered("a");
        chooser.answered("a");
        chooser.answered("a");
        chooser.heard("a");
        assertThat(chooser.choose(List.of(serving("a", 3), serving("b", 4)))).isEqualTo(new Directed("a"));
    }

    @Test
    void drainingNodesAndNodesWithoutKafkaAreNeverChosen() {
        List<NodeStatus> nodes = List.of(draining("d"), kafkaDown("k"), serving("s1", 50), serving("s2", 60));
        for (int i = 0; i < 100; i++) {
            assertThat(chooser.choose(nodes)).isIn(new Directed("s1"), new Directed("s2"));
        }
    }

    @Test
    void countsAreKeptOnlyForNodesPresenceStillLists() {
        // Given sessions directed to "a" and "b"
        for (int i = 0; i < 4; i++) {
            chooser.choose(List.of(serving("a", 0), serving("b", 0)));
        }
        assertThat(chooser.tracked()).containsExactlyInAnyOrder("a", "b");

        // When presence lists other nodes only (a and b left, or fell silent)
        chooser.choose(List.of(serving("c", 0), serving("d", 0)));

        // Then their counts are gone: the map is bounded by the node set
        assertThat(chooser.tracked()).hasSize(1).isSubsetOf("c", "d");
    }

    private static NodeStatus serving(String node, int sessions) {
        return status(node, NodeState.SERVING, sessions, true);
    }

    private static NodeStatus draining(String node) {
        return status(node, NodeState.DRAINING, 0, true);
    }

    private static NodeStatus kafkaDown(String node) {
        return status(node, NodeState.SERVING, 0, false);
    }

    private static NodeStatus status(String node, NodeState state, int sessions, boolean kafka) {
        return new NodeStatus("s0", node, state, OptionalInt.of(sessions), 0, "test", Instant.EPOCH, kafka);
    }
}
