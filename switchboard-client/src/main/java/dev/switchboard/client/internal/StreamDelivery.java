package dev.switchboard.client.internal;

import dev.switchboard.core.session.StreamWindow;
import dev.switchboard.core.session.Transition;
import java.util.List;
import java.util.Optional;

/**
 * The streaming subscriber's delivery (docs/protocol.md, "Streaming delivery") as one pure transition function: which
 * stream is open, which batches it pushed (checked against the credit window with {@link StreamWindow}, as the API
 * node's pump checks them), which one the application holds, and what an acknowledgement does.
 *
 * <pre>
 *   --&gt; Idle(held) --Opened(stream, window), nothing held--&gt; Open(stream, window, delivered 0, held)
 *   Open --Arrived(seq)--&gt; Open / Accept(seq)      (beyond the window or out of order: Violation, state unchanged)
 *   Open --Deliver(batch, seq, cursor)--&gt; Open(delivered seq, held batch)   (seq = delivered + 1, arrived, none held)
 *   Open --Ack(held batch)--&gt; Open(nothing held) / Save(cursor), Credit(seq)
 *   Idle --Ack(held batch)--&gt; Idle(nothing held) / Save(cursor)        (its cursor is valid on any session)
 *   Open --Lost--&gt; Idle(held) / Drop                                     (END or connection lost: it ended by itself)
 *   Open --Abandon--&gt; Idle(held) / Cancel, Drop                          (the client ends it)
 *   Open, Idle --Close--&gt; Closed / Cancel (Open only)
 *   Idle: Arrived, Deliver, Lost, Abandon change nothing but Arrived and Deliver are a Violation; Closed: nothing
 * </pre>
 *
 * <p>Invariants: a batch is held only once it was delivered; the cursor saved is always that of the held batch, the
 * position right after it; an acknowledgement never needs the stream (the cursor came with the batch), so the held
 * batch outlives a lost stream and a new stream opens only when nothing is held. Batches that arrived and were not
 * delivered are dropped with their stream: a new stream reads them again from the saved cursor.
 *
 * @param <S> the open stream as the caller keeps it (opaque here)
 * @param <B> what the application holds of a batch (compared by identity)
 */
final class StreamDelivery {
    private StreamDelivery() {}

    sealed interface State<S, B> {}

    /** The batch the application holds: {@code seq} of the stream that delivered it, and the cursor after it. */
    record Held<B>(B batch, long seq, String cursor) {}

    /** No stream is open; the next poll opens one once nothing is held. */
    record Idle<S, B>(Optional<Held<B>> held) implements State<S, B> {}

    /** {@code stream} is open; batches up to {@code delivered} were handed to the application. */
    record Open<S, B>(S stream, StreamWindow.State window, long delivered, Optional<Held<B>> held)
            implements State<S, B> {}

    record Closed<S, B>() implements State<S, B> {}

    sealed interface Command<S, B> {}

    /** A stream was opened with room for {@code window} batches; its first batch is 1. */
    record Opened<S, B>(S stream, int window) implements Command<S, B> {}

    /** Batch {@code seq} arrived. */
    record Arrived<S, B>(long seq) implements Command<S, B> {}

    /** The next poll hands batch {@code seq} ({@code batch}, with the cursor after it) to the application. */
    record Deliver<S, B>(B batch, long seq, String cursor) implements Command<S, B> {}

    /** The application acknowledged {@code batch}. */
    record Ack<S, B>(B batch) implements Command<S, B> {}

    /** The stream ended by itself (an END, a lost connection). */
    record Lost<S, B>() implements Command<S, B> {}

    /** The client ends the stream (a broken rule, another batch size asked for). */
    record Abandon<S, B>() implements Command<S, B> {}

    record Close<S, B>() implements Command<S, B> {}

    sealed interface Effect {}

    /** Keep batch {@code seq} until a poll delivers it. */
    record Accept(long seq) implements Effect {}

    /** The server broke the stream's rules; the caller abandons the stream. */
    record Violation(String reason) implements Effect {}

    /** Save {@code cursor}: the acknowledged position. */
    record Save(String cursor) implements Effect {}

    /** Return the credit of batches up to {@code seq} to the server. */
    record Credit(long seq) implements Effect {}

    /** Ask the server to end the stream. */
    record Cancel() implements Effect {}

    /** Forget the batches that arrived and were not delivered. */
    record Drop() implements Effect {}

    static <S, B> State<S, B> initial() {
        return new Idle<>(Optional.empty());
    }

    static <S, B> Transition<State<S, B>, Effect> apply(State<S, B> state, Command<S, B> command) {
        return switch (state) {
            case Idle<S, B> idle -> onIdle(idle, command);
            case Open<S, B> open -> onOpen(open, command);
            case Closed<S, B> closed -> of(closed);
        };
    }

    private static <S, B> Transition<State<S, B>, Effect> onIdle(Idle<S, B> idle, Command<S, B> command) {
        return switch (command) {
            case Opened<S, B> opened
            when idle.held().isPresent() ->
                of(idle, new Violation("a stream opens only once the held batch is acknowledged"));
            case Opened<S, B> opened ->
                of(new Open<>(opened.stream(), StreamWindow.open(opened.window(), 0), 0, Optional.empty()));
            case Arrived<S, B> arrived -> of(idle, new Violation("batch " + arrived.seq() + " without a stream"));
            case Deliver<S, B> deliver -> of(idle, new Violation("no stream delivers batch " + deliver.seq()));
            case Ack<S, B> ack
            when holds(idle.held(), ack.batch()) ->
                of(
                        new Idle<>(Optional.empty()),
                        new Save(idle.held().orElseThrow().cursor()));
            case Ack<S, B> ack -> of(idle);
            case Lost<S, B> lost -> of(idle);
            case Abandon<S, B> abandon -> of(idle);
            case Close<S, B> close -> of(new Closed<>());
        };
    }

    private static <S, B> Transition<State<S, B>, Effect> onOpen(Open<S, B> open, Command<S, B> command) {
        return switch (command) {
            case Opened<S, B> opened -> of(open, new Violation("a stream is open already"));
            case Arrived<S, B> arrived -> arrived(open, arrived.seq());
            case Deliver<S, B> deliver -> deliver(open, deliver);
            case Ack<S, B> ack
            when holds(open.held(), ack.batch()) -> {
                Held<B> held = open.held().orElseThrow();
                Transition<StreamWindow.State, StreamWindow.Effect> credit =
                        StreamWindow.apply(open.window(), new StreamWindow.Credit(held.seq()));
                yield of(
                        new Open<>(open.stream(), credit.state(), open.delivered(), Optional.empty()),
                        new Save(held.cursor()),
                        new Credit(held.seq()));
            }
            case Ack<S, B> ack -> of(open);
            case Lost<S, B> lost -> of(new Idle<>(open.held()), new Drop());
            case Abandon<S, B> abandon -> of(new Idle<>(open.held()), new Cancel(), new Drop());
            case Close<S, B> close -> of(new Closed<>(), new Cancel(), new Drop());
        };
    }

    private static <S, B> Transition<State<S, B>, Effect> arrived(Open<S, B> open, long seq) {
        Transition<StreamWindow.State, StreamWindow.Effect> push =
                StreamWindow.apply(open.window(), new StreamWindow.Push(seq));
        for (StreamWindow.Effect effect : push.effects()) {
            if (effect instanceof StreamWindow.Violation violation) {
                return of(open, new Violation(violation.reason()));
            }
        }
        return of(new Open<>(open.stream(), push.state(), open.delivered(), open.held()), new Accept(seq));
    }

    private static <S, B> Transition<State<S, B>, Effect> deliver(Open<S, B> open, Deliver<S, B> deliver) {
        if (open.held().isPresent()) {
            return of(open, new Violation("batch " + open.held().get().seq() + " is not acknowledged yet"));
        }
        if (deliver.seq() != open.delivered() + 1 || deliver.seq() > pushed(open.window())) {
            return of(
                    open,
                    new Violation("batch " + deliver.seq() + " cannot be delivered: delivered " + open.delivered()
                            + ", arrived " + pushed(open.window())));
        }
        return of(new Open<>(
                open.stream(),
                open.window(),
                deliver.seq(),
                Optional.of(new Held<>(deliver.batch(), deliver.seq(), deliver.cursor()))));
    }

    private static long pushed(StreamWindow.State window) {
        return switch (window) {
            case StreamWindow.Flowing flowing -> flowing.pushed();
            case StreamWindow.Stalled stalled -> stalled.pushed();
            case StreamWindow.Ended ended -> 0;
        };
    }

    private static <B> boolean holds(Optional<Held<B>> held, B batch) {
        return held.isPresent() && held.get().batch() == batch;
    }

    private static <S, B> Transition<State<S, B>, Effect> of(State<S, B> state, Effect... effects) {
        return new Transition<>(state, List.of(effects));
    }
}
