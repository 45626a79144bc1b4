package dev.switchboard.core.session.simulation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Kafka as a write session's backend sees it: chunks sent in order, acknowledged one at a time in that order,
 * or failed all at once. A failed chunk may still have landed in the log, which is why at-least-once delivery can
 * duplicate; the acknowledgement of such a chunk may even arrive late, after the failure was reported. It keeps
 * a history of what happened, for the properties to judge.
 */
public final class KafkaModel {
    /** What happened, in order. */
    public sealed interface Event {}

    /** The backend sent chunks {@code from..to} (a {@code Publish} effect). */
    public record Sent(long from, long to) implements Event {}

    /** Kafka acknowledged chunk {@code seq}. */
    public record Acked(long seq) implements Event {}

    /** Everything in flight failed; Kafka had acknowledged {@code ackedChunks} before. */
    public record Failed(Set<Long> ackedChunks) implements Event {}

    private final ArrayDeque<Long> inFlight = new ArrayDeque<>();
    /** Chunks that landed before a failure and whose acks are still coming; they were sent before the rest. */
    private final ArrayDeque<Long> lateAcks = new ArrayDeque<>();

    private final List<Long> log = new ArrayList<>();
    private final Set<Long> acked = new HashSet<>();
    private final List<Event> history = new ArrayList<>();

    void send(long from, long to) {
        history.add(new Sent(from, to));
        for (long seq = from; seq <= to; seq++) {
            inFlight.addLast(seq);
        }
    }

    boolean hasInFlight() {
        return !inFlight.isEmpty() || !lateAcks.isEmpty();
    }

    /** Acknowledges the oldest chunk in flight and returns it. */
    OptionalLong ackNext() {
        long seq;
        if (!lateAcks.isEmpty()) {
            seq = lateAcks.pollFirst();
        } else if (!inFlight.isEmpty()) {
            seq = inFlight.pollFirst();
            log.add(seq);
        } else {
            return OptionalLong.empty();
        }
        acked.add(seq);
        history.add(new Acked(seq));
        return OptionalLong.of(seq);
    }

    /**
     * Fails everything in flight. The first {@code pick % (in flight + 1)} chunks reach the log anyway; when
     * {@code pick} is odd their acks still arrive later.
     */
    boolean failAll(int pick) {
        if (inFlight.isEmpty()) {
            return false;
        }
        int reached = pick % (inFlight.size() + 1);
        for (int i = 0; i < reached; i++) {
            long seq = inFlight.pollFirst();
            log.add(seq);
            if (pick % 2 == 1) {
                lateAcks.addLast(seq);
            }
        }
        inFlight.clear();
        history.add(new Failed(Set.copyOf(acked)));
        return true;
    }

    /** True when Kafka acknowledged chunk {@code seq}. */
    public boolean acknowledged(long seq) {
        return acked.contains(seq);
    }

    /** The chunk seqs in the topic, in order, duplicates included. */
    public List<Long> log() {
        return List.copyOf(log);
    }

    public List<Event> history() {
        return List.copyOf(history);
    }
}
