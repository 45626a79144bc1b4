package dev.switchboard.backend.internal;

import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;
import java.util.List;

/**
 * A backend write session's whole state as one pure transition function: the protocol's {@link WriteMachine} (shared
 * with the SDK's mirror) and what only the node knows about its commits. {@link WriteSession} holds one
 * {@link State} and nothing beside it but the staged chunks' records.
 *
 * <ul>
 *   <li>{@code awaitedUpTo}: the highest chunk a commit waits for, what the client was promised an answer about.
 *       A {@link WriteMachine.AwaitCommitted} raises it; {@link GaveUp} (a waiting commit was answered with a
 *       failure, so the client resends) lowers it to {@code committed}. At the drain deadline the chunks in
 *       {@code (committed, awaitedUpTo]} are the ones to spill ({@link Writing#unacknowledged}).
 *   <li>{@link Spill}: whether some chunks were spilled instead of acknowledged by Kafka, and above which chunk;
 *       a commit answer covering them says SPILLED ({@link Writing#spilledCommitted}).
 * </ul>
 *
 * <pre>
 *   Writing --Protocol(c)--> Writing      (WriteMachine's step; awaitedUpTo follows AwaitCommitted)
 *   Writing --GaveUp--> Writing           (awaitedUpTo = committed)
 *   Writing --Spilled(s)--> Writing       (s &gt; committed: SpilledAbove(committed), then WriteMachine's Published(s))
 *   Writing --Protocol(Dispose)--> Closed
 *   Closed --Protocol(c)--> Closed        (WriteMachine's answer for a closed session: SESSION_LOST, or nothing)
 *   Closed --GaveUp, Spilled--> Closed
 * </pre>
 *
 * <p>Invariant of {@link Writing}: {@code committed <= awaitedUpTo <= staged}, and a spill lies at or below
 * {@code committed}.
 */
final class WriteSessionMachine {
    private WriteSessionMachine() {}

    sealed interface State {}

    /** An open session: its protocol counters, the highest chunk a commit waits for, and its spill. */
    record Writing(WriteMachine.Open protocol, long awaitedUpTo, Spill spill) implements State {
        Writing {
            if (awaitedUpTo < protocol.committed() || awaitedUpTo > protocol.staged()) {
                throw new IllegalArgumentException("awaited chunk " + awaitedUpTo + " outside committed "
                        + protocol.committed() + " .. staged " + protocol.staged());
            }
            if (spill instanceof SpilledAbove above && above.seq() > protocol.committed()) {
                throw new IllegalArgumentException(
                        "spilled above " + above.seq() + " beyond committed " + protocol.committed());
            }
        }

        long committed() {
            return protocol.committed();
        }

        /** True when the chunks committed so far include spilled ones: their commit answer says SPILLED. */
        boolean spilledCommitted() {
            return spill instanceof SpilledAbove above && protocol.committed() > above.seq();
        }

        /** The chunks a commit waits for that Kafka has not acknowledged: {@code (committed, awaitedUpTo]}. */
        Range unacknowledged() {
            return new Range(protocol.committed() + 1, awaitedUpTo);
        }
    }

    record Closed() implements State {}

    /** Chunks {@code from..to}, inclusive; empty when {@code from > to}. */
    record Range(long from, long to) {
        boolean isEmpty() {
            return from > to;
        }
    }

    /** Whether chunks of this session went to the spill journal instead of Kafka. */
    sealed interface Spill {}

    record NotSpilled() implements Spill {}

    /** The chunks above {@code seq} (up to the spill's last) are in the spill journal, not acknowledged by Kafka. */
    record SpilledAbove(long seq) implements Spill {}

    sealed interface Command {}

    /** A command of the protocol's machine: a write, a commit, or a publish outcome. */
    record Protocol(WriteMachine.Command command) implements Command {}

    /** A waiting commit was answered with a failure: the client resends its chunks, nothing is awaited now. */
    record GaveUp() implements Command {}

    /** Chunks up to {@code seq} are in the spill journal, on disk: they count as committed, answered SPILLED. */
    record Spilled(long seq) implements Command {}

    static State initial(long lastCommittedSeq, int window) {
        WriteMachine.Open open = (WriteMachine.Open) WriteMachine.initial(lastCommittedSeq, window);
        return new Writing(open, lastCommittedSeq, new NotSpilled());
    }

    /** The next state and the protocol's effects to run, in order. */
    static Transition<State, WriteMachine.Effect> apply(State state, Command command) {
        return switch (state) {
            case Writing writing ->
                switch (command) {
                    case Protocol protocol -> step(writing, protocol.command(), writing.spill());
                    case GaveUp gaveUp -> stay(new Writing(writing.protocol(), writing.committed(), writing.spill()));
                    case Spilled spilled ->
                        spilled.seq() > writing.committed()
                                ? step(
                                        writing,
                                        new WriteMachine.Published(spilled.seq()),
                                        writing.spill() instanceof SpilledAbove earlier
                                                ? earlier
                                                : new SpilledAbove(writing.committed()))
                                : stay(writing);
                };
            case Closed closed ->
                switch (command) {
                    case Protocol protocol ->
                        new Transition<>(
                                closed,
                                WriteMachine.apply(new WriteMachine.Closed(), protocol.command())
                                        .effects());
                    case GaveUp gaveUp -> stay(closed);
                    case Spilled spilled -> stay(closed);
                };
        };
    }

    private static Transition<State, WriteMachine.Effect> step(
            Writing writing, WriteMachine.Command command, Spill spill) {
        Transition<WriteMachine.State, WriteMachine.Effect> step = WriteMachine.apply(writing.protocol(), command);
        return switch (step.state()) {
            case WriteMachine.Closed closed -> new Transition<>(new Closed(), step.effects());
            case WriteMachine.Open open -> {
                long awaited = writing.awaitedUpTo();
                for (WriteMachine.Effect effect : step.effects()) {
                    if (effect instanceof WriteMachine.AwaitCommitted await) {
                        awaited = Math.max(awaited, await.seq());
                    }
                }
                yield new Transition<>(new Writing(open, Math.max(awaited, open.committed()), spill), step.effects());
            }
        };
    }

    private static Transition<State, WriteMachine.Effect> stay(State state) {
        return new Transition<>(state, List.of());
    }
}
