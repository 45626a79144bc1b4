package dev.switchboard.switching.amqp.internal;

import dev.switchboard.switching.amqp.NodeStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Which backend node of one shard an API node sends a new session to (power of two choices): two distinct nodes
 * that take sessions (live, serving, reaching Kafka) drawn at random, and the one with the lower estimated load
 * wins; a tie goes to the first drawn, so at random. With fewer than two such nodes the allocate goes to the
 * shard's shared allocation queue, as before allocations were directed.
 *
 * <p>A node's estimated load is the sessions its last beat announced (none when it does not say) plus the
 * allocations this API node directed to it that the beat cannot have counted: those directed since the beat was
 * heard, and those still unanswered when it was (a slow node's session is made after the beat that follows its
 * allocate). So a burst of allocations, all chosen before the next beat, spreads by the counts alone.
 *
 * <p>Implementation notes: thread-safe, every method under the instance's lock, so a choice and the count it adds
 * are one step and concurrent allocations see each other's. The counts are bounded by the node set: an entry is
 * made only for a node chosen, and each choice drops the entries of nodes presence no longer lists.
 */
final class AllocationChooser {
    /** Where an allocate goes. */
    sealed interface Choice {}

    /** To this node's own queue. */
    record Directed(String node) implements Choice {}

    /** To the shard's shared allocation queue, where the first node to take it makes the session. */
    record SharedQueue() implements Choice {}

    /** A node that takes sessions, and its estimated load. */
    record Candidate(String node, long estimate) {}

    /**
     * Allocations directed to a node that its last beat cannot have counted ({@code uncounted}), and those of all
     * directed that are not answered yet ({@code unanswered}, never more than {@code uncounted}).
     */
    private record Counts(int uncounted, int unanswered) {
        Counts directed() {
            return new Counts(uncounted + 1, unanswered + 1);
        }

        Counts answered() {
            return new Counts(uncounted, Math.max(0, unanswered - 1));
        }

        /** A newer beat counted every session made before it was sent; the unanswered ones are not made yet. */
        Counts beat() {
            return new Counts(unanswered, unanswered);
        }
    }

    private final RandomGenerator random;
    private final Map<String, Counts> counts = new HashMap<>();

    /** {@code random}: the draws; used under this chooser's lock only, so it need not be thread-safe. */
    AllocationChooser(RandomGenerator random) {
        this.random = random;
    }

    /**
     * Chooses where the next allocate goes, among {@code nodes} (the shard's live nodes, as presence lists them), and
     * counts it against the node when one is chosen.
     */
    synchronized Choice choose(List<NodeStatus> nodes) {
        Set<String> listed = nodes.stream().map(NodeStatus::node).collect(Collectors.toSet());
        counts.keySet().retainAll(listed);
        List<Candidate> candidates = nodes.stream()
                .filter(NodeStatus::takesSessions)
                .map(node -> new Candidate(node.node(), node.sessions().orElse(0) + uncounted(node.node())))
                .toList();
        Choice choice = pick(candidates, random);
        if (choice instanceof Directed directed) {
            counts.merge(directed.node(), new Counts(1, 1), (old, ignored) -> old.directed());
        }
        return choice;
    }

    /** The answer (or the end) of an allocate directed to {@code node} came back. */
    synchronized void answered(String node) {
        counts.computeIfPresent(node, (name, old) -> old.answered());
    }

    /** A newer beat of {@code node} was heard: it counts the sessions made before it. */
    synchronized void heard(String node) {
        counts.computeIfPresent(node, (name, old) -> old.beat());
    }

    /** The nodes with counts kept (tests: bounded by the node set). */
    synchronized Set<String> tracked() {
        return Set.copyOf(counts.keySet());
    }

    private int uncounted(String node) {
        Counts held = counts.get(node);
        return held == null ? 0 : held.uncounted();
    }

    /**
     * The pure choice: the shared queue with fewer than two candidates, else the lower estimate of two distinct
     * candidates drawn at random (a tie: the first drawn).
     */
    static Choice pick(List<Candidate> candidates, RandomGenerator random) {
        if (candidates.size() < 2) {
            return new SharedQueue();
        }
        int first = random.nextInt(candidates.size());
        int second = random.nextInt(candidates.size() - 1);
        if (second >= first) {
            second++;
        }
        Candidate a = candidates.get(first);
        Candidate b = candidates.get(second);
        return new Directed(b.estimate() < a.estimate() ? b.node() : a.node());
    }
}
