package dev.switchboard.core.session;

/**
 * The credit window of a streamed read (the binary TCP transport's streaming delivery, docs/protocol.md) as one pure
 * transition function, run by both ends: the API node's pump checks each batch against it before it pushes it, and
 * the SDK's stream checks each batch that arrives and each acknowledgement it returns.
 *
 * <pre>
 *                 Push(pushed+1) / Send, while pushed - credited &lt; window - 1
 *                +------+
 *                v      |          Push(pushed+1) / Send (the window is now full)
 *   --> Flowing(window, pushed, credited) ---------------------------------------&gt; Stalled(...)
 *                ^                                                                   |
 *                +-------------------------------------------------------------------+
 *                          Credit(s), credited &lt; s &lt;= pushed / Resume
 *   Flowing/Stalled: Credit(s &lt;= credited) changes nothing (a repeated credit), Credit(s &gt; pushed) and any other Push
 *                    are a Violation (state unchanged); End / Finish --&gt; Ended
 *   Ended: Credit and End change nothing (a late frame of a stream that just ended); Push is a Violation
 * </pre>
 *
 * Invariant: {@code credited <= pushed <= credited + window}; so a side that buffers what it was pushed needs room
 * for {@code window} batches and no more.
 */
public final class StreamWindow {
    private StreamWindow() {}

    /** Where a stream stands. */
    public sealed interface State {}

    /** Batches up to {@code pushed} were sent, those up to {@code credited} acknowledged, and there is room for more. */
    public record Flowing(int window, long pushed, long credited) implements State {
        public Flowing {
            check(window, pushed, credited);
            if (pushed - credited >= window) {
                throw new IllegalArgumentException("a flowing stream has room: pushed " + pushed + ", credited "
                        + credited + ", window " + window);
            }
        }
    }

    /** {@code window} batches are sent and not acknowledged: nothing more until a credit returns. */
    public record Stalled(int window, long pushed, long credited) implements State {
        public Stalled {
            check(window, pushed, credited);
            if (pushed - credited != window) {
                throw new IllegalArgumentException("a stalled stream has a full window: pushed " + pushed
                        + ", credited " + credited + ", window " + window);
            }
        }
    }

    /** The stream ended (cancelled, failed, or its connection lost); nothing more is pushed. */
    public record Ended() implements State {}

    /** What happened to the stream. */
    public sealed interface Command {}

    /** Batch {@code seq} is pushed (the pump: about to send it; the SDK: it arrived). */
    public record Push(long seq) implements Command {}

    /** The client acknowledged every batch up to {@code seq} (cumulative): their credit returns. */
    public record Credit(long seq) implements Command {}

    /** The stream ends. */
    public record End() implements Command {}

    /** What the caller must do. */
    public sealed interface Effect {}

    /** Send (the pump) or accept (the SDK) batch {@code seq}. */
    public record Send(long seq) implements Effect {}

    /** The window has room again: a pump waiting for credit carries on. */
    public record Resume() implements Effect {}

    /** The other side broke the rules (a batch beyond the window or out of order, credit for a batch never sent). */
    public record Violation(String reason) implements Effect {}

    /** Release the stream: nothing more is sent or awaited. */
    public record Finish() implements Effect {}

    /** A stream whose first batch will be {@code afterSeq + 1}, with room for {@code window} batches. */
    public static State open(int window, long afterSeq) {
        return new Flowing(window, afterSeq, afterSeq);
    }

    public static Transition<State, Effect> apply(State state, Command command) {
        return switch (state) {
            case Flowing flowing -> onOpen(state, flowing.window(), flowing.pushed(), flowing.credited(), command);
            case Stalled stalled -> onOpen(state, stalled.window(), stalled.pushed(), stalled.credited(), command);
            case Ended ended -> onEnded(ended, command);
        };
    }

    private static Transition<State, Effect> onOpen(
            State state, int window, long pushed, long credited, Command command) {
        return switch (command) {
            case Push push
            when state instanceof Stalled ->
                Transition.of(
                        state,
                        new Violation("batch " + push.seq() + " is beyond the credit window: " + window
                                + " batches are unacknowledged"));
            case Push push
            when push.seq() != pushed + 1 ->
                Transition.of(
                        state,
                        new Violation("batch " + push.seq() + " out of order; the next batch is " + (pushed + 1)));
            case Push push -> Transition.of(room(window, push.seq(), credited), new Send(push.seq()));
            case Credit credit
            when credit.seq() > pushed ->
                Transition.of(
                        state,
                        new Violation("credit for batch " + credit.seq() + ", which was not sent; the last sent is "
                                + pushed));
            case Credit credit when credit.seq() <= credited -> Transition.of(state);
            case Credit credit
            when state instanceof Stalled -> Transition.of(room(window, pushed, credit.seq()), new Resume());
            case Credit credit -> Transition.of(room(window, pushed, credit.seq()));
            case End end -> Transition.of(new Ended(), new Finish());
        };
    }

    private static Transition<State, Effect> onEnded(Ended ended, Command command) {
        return switch (command) {
            case Push push -> Transition.of(ended, new Violation("batch " + push.seq() + " after the stream ended"));
            case Credit credit -> Transition.of(ended);
            case End end -> Transition.of(ended);
        };
    }

    private static State room(int window, long pushed, long credited) {
        return pushed - credited < window
                ? new Flowing(window, pushed, credited)
                : new Stalled(window, pushed, credited);
    }

    private static void check(int window, long pushed, long credited) {
        if (window < 1) {
            throw new IllegalArgumentException("the credit window is at least 1, got " + window);
        }
        if (credited < 0 || pushed < credited) {
            throw new IllegalArgumentException("credited " + credited + " must be between 0 and pushed " + pushed);
        }
    }
}
