package dev.switchboard.core.session;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@link ReadMachine} with the delivered batch kept in its state, so that whoever runs the machine (the backend's
 * read session, the SDK's subscriber) keeps no batch beside it: {@link Holding} is the machine's
 * {@link ReadMachine.Delivered} together with the batch a repeated read answers again and an acknowledgement
 * confirms. The transitions and effects are exactly {@link ReadMachine}'s; a batch enters only with
 * {@link #fetched}.
 *
 * @param <B> what a side keeps of a batch (the backend: events and next offsets; the SDK: the batch it returned)
 */
public final class ReadDelivery {
    private ReadDelivery() {}

    public sealed interface State<B> {
        /** The read machine's own state. */
        ReadMachine.State machine();
    }

    /** No batch is outstanding. */
    public record Waiting<B>(ReadMachine.Idle machine) implements State<B> {}

    /** {@code batch} was delivered as batch {@code machine.seq()} and is not acknowledged. */
    public record Holding<B>(ReadMachine.Delivered machine, B batch) implements State<B> {
        public Holding {
            Objects.requireNonNull(batch, "batch");
        }
    }

    /** The session was disposed. */
    public record Ended<B>(ReadMachine.Closed machine) implements State<B> {}

    public static <B> State<B> initial() {
        return new Waiting<>((ReadMachine.Idle) ReadMachine.initial());
    }

    /** Applies a client command ({@code Read}, {@code Ack}, {@code Dispose}); a fetched batch goes through {@link #fetched}. */
    public static <B> Transition<State<B>, ReadMachine.Effect> apply(State<B> state, ReadMachine.Command command) {
        if (command instanceof ReadMachine.Fetched) {
            throw new IllegalArgumentException("a fetched batch enters with fetched(state, seq, batch)");
        }
        return step(state, command, null);
    }

    /** The edge fetched {@code batch}, not empty, for batch {@code seq}. */
    public static <B> Transition<State<B>, ReadMachine.Effect> fetched(State<B> state, long seq, B batch) {
        return step(state, new ReadMachine.Fetched(seq), Objects.requireNonNull(batch, "batch"));
    }

    private static <B> Transition<State<B>, ReadMachine.Effect> step(
            State<B> state, ReadMachine.Command command, @Nullable B fetched) {
        Transition<ReadMachine.State, ReadMachine.Effect> transition = ReadMachine.apply(state.machine(), command);
        State<B> next = switch (transition.state()) {
            case ReadMachine.Idle idle -> new Waiting<>(idle);
            case ReadMachine.Delivered delivered ->
                // the machine moves into Delivered only on Fetched; staying there keeps the batch
                state instanceof Holding<B> holding && holding.machine().equals(delivered)
                        ? holding
                        : new Holding<>(
                                delivered, Objects.requireNonNull(fetched, "Delivered is entered only on Fetched"));
            case ReadMachine.Closed closed -> new Ended<>(closed);
        };
        return new Transition<>(next, transition.effects());
    }
}
