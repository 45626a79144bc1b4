package dev.switchboard.core.session;

import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The read session protocol as one pure transition function, run by the backend for each read session and
 * by the SDK as its mirror.
 *
 * <pre>
 *            Read(n+1) / Fetch(n+1)          (an empty fetch changes nothing: the long poll timed out)
 *           +------+
 *           v      |   Fetched(n+1) / Deliver(n+1)
 *   --> Idle(n) ---+-------------------------------> Delivered(n+1)
 *           ^                                          |   Read(n+1) / Redeliver(n+1)
 *           +------------------------------------------+
 *                    Ack(n+1) / Acknowledged(n+1)
 *   any open state: Dispose / Release --> Closed        (Dispose when Closed: nothing to release again)
 * </pre>
 *
 * {@code AckAndRead(a, s)} is the ack riding on a read: exactly {@code Ack(a)} then {@code Read(s)}, with both
 * effects in that order (an {@link Acknowledged}, then a {@link Fetch} or {@link Redeliver}), applied as one step:
 * when either part is rejected, the whole command is, with that rejection, and the state stays.
 *
 * Rules: batches are numbered from 1, one at a time; at most one batch is un-acknowledged; asking again for the
 * delivered batch returns the same batch; acknowledgements are cumulative and repeating one is harmless.
 * Anything else is rejected with OUT_OF_SEQUENCE carrying the expected sequence number, and the state stays.
 */
public final class ReadMachine {
    private ReadMachine() {}

    /** Where a read session stands. */
    public sealed interface State {}

    /** Every batch up to {@code ackedSeq} is acknowledged; none is outstanding. */
    public record Idle(long ackedSeq) implements State {
        public long nextSeq() {
            return ackedSeq + 1;
        }
    }

    /** Batch {@code seq} has been delivered and waits for its acknowledgement. */
    public record Delivered(long seq) implements State {
        public long ackedSeq() {
            return seq - 1;
        }
    }

    /** The session was disposed (or expired); it answers nothing any more. */
    public record Closed() implements State {}

    /** What the client asks, or what the backend's edge reports back. */
    public sealed interface Command {}

    public record Read(long seq) implements Command {}

    public record Ack(long seq) implements Command {}

    /** The ack riding on a read: {@code Ack(ackSeq)} then {@code Read(seq)}, all or nothing. */
    public record AckAndRead(long ackSeq, long seq) implements Command {}

    /** Edge event: a non-empty batch was fetched for {@code seq}. */
    public record Fetched(long seq) implements Command {}

    public record Dispose() implements Command {}

    /** What the caller must do. */
    public sealed interface Effect permits Fetch, Deliver, Redeliver, Acknowledged, Release, Rejection {}

    /** Fetch the next batch (long-poll); report {@link Fetched} when it is not empty, answer empty otherwise. */
    public record Fetch(long seq) implements Effect {}

    /** Answer with the batch just fetched, and keep it for a repeated read. */
    public record Deliver(long seq) implements Effect {}

    /** Answer with the kept batch {@code seq} again. */
    public record Redeliver(long seq) implements Effect {}

    /** Batches up to {@code ackedSeq} are acknowledged: move the committed position, answer the cursor. */
    public record Acknowledged(long ackedSeq) implements Effect {}

    /** Release everything the session holds. */
    public record Release() implements Effect {}

    public static State initial() {
        return new Idle(0);
    }

    public static Transition<State, Effect> apply(State state, Command command) {
        if (command instanceof Dispose) {
            // Disposing twice (a retried dispose whose answer was lost) must not release the resources twice.
            return state instanceof Closed ? Transition.of(state) : Transition.of(new Closed(), new Release());
        }
        if (command instanceof AckAndRead both) {
            return ackThenRead(state, both);
        }
        return switch (state) {
            case Idle idle -> onIdle(idle, command);
            case Delivered delivered -> onDelivered(delivered, command);
            case Closed closed -> Transition.of(closed, Rejection.of(ErrorCode.SESSION_LOST, "session is closed"));
        };
    }

    /** {@code Ack} then {@code Read} as one step: all or nothing, so a refused read acknowledges nothing either. */
    private static Transition<State, Effect> ackThenRead(State state, AckAndRead both) {
        Transition<State, Effect> ack = apply(state, new Ack(both.ackSeq()));
        for (Effect effect : ack.effects()) {
            if (effect instanceof Rejection) {
                return Transition.of(state, effect);
            }
        }
        Transition<State, Effect> read = apply(ack.state(), new Read(both.seq()));
        for (Effect effect : read.effects()) {
            if (effect instanceof Rejection) {
                return Transition.of(state, effect);
            }
        }
        List<Effect> effects = new ArrayList<>(ack.effects());
        effects.addAll(read.effects());
        return new Transition<>(read.state(), effects);
    }

    private static Transition<State, Effect> onIdle(Idle idle, Command command) {
        long next = idle.nextSeq();
        return switch (command) {
            case Read read when read.seq() == next -> Transition.of(idle, new Fetch(next));
            case Read read -> reject(idle, next, "read " + read.seq() + " out of sequence; next batch is " + next);
            case Fetched fetched when fetched.seq() == next -> Transition.of(new Delivered(next), new Deliver(next));
            case Fetched fetched -> internal(idle, "fetched batch " + fetched.seq() + " was not asked for");
            case Ack ack when ack.seq() <= idle.ackedSeq() -> Transition.of(idle, new Acknowledged(idle.ackedSeq()));
            case Ack ack ->
                reject(idle, next, "ack " + ack.seq() + " for a batch not delivered; next batch is " + next);
            case AckAndRead both -> throw new AssertionError("handled above");
            case Dispose dispose -> throw new AssertionError("handled above");
        };
    }

    private static Transition<State, Effect> onDelivered(Delivered delivered, Command command) {
        long seq = delivered.seq();
        return switch (command) {
            case Read read when read.seq() == seq -> Transition.of(delivered, new Redeliver(seq));
            case Read read ->
                reject(delivered, seq, "read " + read.seq() + " while batch " + seq + " is not acknowledged");
            case Ack ack when ack.seq() == seq -> Transition.of(new Idle(seq), new Acknowledged(seq));
            case Ack ack when ack.seq() < seq -> Transition.of(delivered, new Acknowledged(delivered.ackedSeq()));
            case Ack ack ->
                reject(delivered, seq, "ack " + ack.seq() + " for a batch not delivered; delivered is " + seq);
            case Fetched fetched -> internal(delivered, "fetched batch " + fetched.seq() + " while " + seq + " is out");
            case AckAndRead both -> throw new AssertionError("handled above");
            case Dispose dispose -> throw new AssertionError("handled above");
        };
    }

    private static Transition<State, Effect> reject(State state, long expected, String message) {
        return Transition.of(state, Rejection.outOfSequence(expected, message));
    }

    private static Transition<State, Effect> internal(State state, String message) {
        return Transition.of(state, Rejection.of(ErrorCode.INTERNAL, message));
    }
}
