package dev.switchboard.core.session;

import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The write session protocol as one pure transition function, run by the backend for each write session and
 * by the SDK as its mirror.
 *
 * <p>A write session numbers its chunks; it starts after the writer's last committed chunk. The counters of
 * {@link Open} always satisfy {@code committed <= publishing <= staged <= committed + window}:
 *
 * <pre>
 *   committed             publishing                 staged
 *   |  known in Kafka     |  sent to Kafka, no ack   |  staged in memory, not sent
 * </pre>
 *
 * <ul>
 *   <li>{@code Write(staged+1)} stages the chunk when the window has room, else BUSY; a chunk already staged
 *       is acknowledged again and not staged twice; a gap is OUT_OF_SEQUENCE.
 *   <li>{@code Commit(s)} is cumulative: it publishes the staged chunks in {@code (publishing, s]} and waits
 *       until Kafka has acknowledged everything up to {@code s}; a repeated commit answers the same.
 *   <li>{@code Published(s)} (edge event) moves {@code committed} (and {@code publishing} when {@code s} is
 *       beyond it: Kafka has those chunks even if a failure rewound them); {@code PublishFailed} rewinds
 *       {@code publishing} to {@code committed}, so the next commit publishes the chunks again (at-least-once).
 *       The client's mirror applies a commit answer {@code committed=c} as {@code Published(c)}.
 *   <li>{@code WriteAndCommit(s)} is the commit riding on a write: exactly {@code Write(s)} then
 *       {@code Commit(s)}, with both effects in that order, as one step: a refused write is refused whole (the
 *       commit of a chunk just staged or already staged is never refused). Sent again, it is a retry of both.
 *   <li>{@code Dispose} closes the session and releases it once; disposing a closed session does nothing.
 * </ul>
 */
public final class WriteMachine {
    /**
     * The largest chunk seq a writer may reach: far beyond any real writer (a chunk a nanosecond for a century),
     * and far enough below {@link Long#MAX_VALUE} that no counter arithmetic ({@code staged + 1},
     * {@code committed + window}) can overflow.
     */
    public static final long MAX_SEQ = Long.MAX_VALUE / 4;

    private WriteMachine() {}

    /** Where a write session stands. */
    public sealed interface State {}

    public record Open(long committed, long publishing, long staged, int window) implements State {
        public Open {
            if (window < 1) {
                throw new IllegalArgumentException("window must be at least 1, got " + window);
            }
            if (committed < 0
                    || publishing < committed
                    || staged < publishing
                    || staged - committed > window
                    || staged > MAX_SEQ) {
                throw new IllegalArgumentException(
                        "broken write counters: committed=%d publishing=%d staged=%d window=%d"
                                .formatted(committed, publishing, staged, window));
            }
        }

        public long nextSeq() {
            return staged + 1;
        }

        public boolean windowFull() {
            return staged - committed >= window;
        }
    }

    public record Closed() implements State {}

    public sealed interface Command {}

    public record Write(long seq) implements Command {}

    public record Commit(long seq) implements Command {}

    /** The commit riding on a write: {@code Write(seq)} then {@code Commit(seq)}, all or nothing. */
    public record WriteAndCommit(long seq) implements Command {}

    /** Edge event: Kafka acknowledged every chunk up to {@code seq}. */
    public record Published(long seq) implements Command {}

    /** Edge event: publishing failed; nothing beyond {@code committed} is known to be in Kafka. */
    public record PublishFailed() implements Command {}

    public record Dispose() implements Command {}

    public sealed interface Effect
            permits Stage, AlreadyStaged, Publish, AwaitCommitted, Committed, Rewound, Release, Rejection {}

    /** Keep chunk {@code seq} and answer that it is staged. */
    public record Stage(long seq) implements Effect {}

    /** Chunk {@code seq} was staged before: answer again without keeping it twice. */
    public record AlreadyStaged(long seq) implements Effect {}

    /** Send the staged chunks {@code from..to} (inclusive) to Kafka, after any earlier publish. */
    public record Publish(long from, long to) implements Effect {}

    /** Answer the commit of {@code seq} once {@link Committed} covers it. */
    public record AwaitCommitted(long seq) implements Effect {}

    /** Every chunk up to {@code seq} is in Kafka: answer waiting commits, drop those chunks from memory. */
    public record Committed(long seq) implements Effect {}

    /** The in-flight publishes failed: fail waiting commits (retriable); the chunks stay staged. */
    public record Rewound(long committed) implements Effect {}

    public record Release() implements Effect {}

    public static State initial(long lastCommittedSeq, int window) {
        return new Open(lastCommittedSeq, lastCommittedSeq, lastCommittedSeq, window);
    }

    public static Transition<State, Effect> apply(State state, Command command) {
        if (command instanceof Dispose) {
            // Disposing twice (a retried dispose whose answer was lost) must not release the resources twice.
            return state instanceof Closed ? Transition.of(state) : Transition.of(new Closed(), new Release());
        }
        return switch (state) {
            case Open open -> onOpen(open, command);
            case Closed closed -> Transition.of(closed, Rejection.of(ErrorCode.SESSION_LOST, "session is closed"));
        };
    }

    private static Transition<State, Effect> onOpen(Open open, Command command) {
        return switch (command) {
            case Write write -> onWrite(open, write.seq());
            case Commit commit -> onCommit(open, commit.seq());
            case WriteAndCommit both -> writeThenCommit(open, both.seq());
            case Published published -> onPublished(open, published.seq());
            case PublishFailed failed ->
                Transition.of(
                        new Open(open.committed(), open.committed(), open.staged(), open.window()),
                        new Rewound(open.committed()));
            case Dispose dispose -> throw new AssertionError("handled above");
        };
    }

    private static Transition<State, Effect> onWrite(Open open, long seq) {
        if (seq <= open.staged()) {
            return Transition.of(open, new AlreadyStaged(seq));
        }
        if (seq > MAX_SEQ) {
            return Transition.of(
                    open,
                    Rejection.of(ErrorCode.INVALID_REQUEST, "chunk seq " + seq + " is beyond the largest, " + MAX_SEQ));
        }
        if (seq != open.nextSeq()) {
            return Transition.of(
                    open,
                    Rejection.outOfSequence(
                            open.nextSeq(), "write " + seq + " out of sequence; next chunk is " + open.nextSeq()));
        }
        if (open.windowFull()) {
            return Transition.of(
                    open,
                    new Rejection(
                            ErrorCode.BUSY,
                            "write window of " + open.window() + " chunks is full; commit first",
                            -1,
                            RETRY_AFTER_MS));
        }
        return Transition.of(new Open(open.committed(), open.publishing(), seq, open.window()), new Stage(seq));
    }

    private static Transition<State, Effect> writeThenCommit(Open open, long seq) {
        Transition<State, Effect> write = onWrite(open, seq);
        for (Effect effect : write.effects()) {
            if (effect instanceof Rejection) {
                return write; // the state stayed
            }
        }
        // seq is staged now (just or before), so the commit of it cannot be refused
        Transition<State, Effect> commit = onCommit((Open) write.state(), seq);
        List<Effect> effects = new ArrayList<>(write.effects());
        effects.addAll(commit.effects());
        return new Transition<>(commit.state(), effects);
    }

    private static Transition<State, Effect> onCommit(Open open, long seq) {
        if (seq <= open.committed()) {
            return Transition.of(open, new Committed(open.committed()));
        }
        if (seq > open.staged()) {
            return Transition.of(
                    open,
                    Rejection.outOfSequence(
                            open.staged(), "commit " + seq + " beyond the last staged chunk " + open.staged()));
        }
        if (seq <= open.publishing()) {
            return Transition.of(open, new AwaitCommitted(seq));
        }
        return Transition.of(
                new Open(open.committed(), seq, open.staged(), open.window()),
                new Publish(open.publishing() + 1, seq),
                new AwaitCommitted(seq));
    }

    private static Transition<State, Effect> onPublished(Open open, long seq) {
        if (seq <= open.committed()) {
            return Transition.of(open); // a late, already covered acknowledgement
        }
        if (seq > open.staged()) {
            return Transition.of(
                    open, Rejection.of(ErrorCode.INTERNAL, "published " + seq + " beyond staged " + open.staged()));
        }
        // Beyond publishing is legitimate: a late ack for chunks a failure had rewound, or, on the client's
        // mirror, a commit answer reporting chunks the backend got into Kafka before its publish failed.
        long publishing = Math.max(open.publishing(), seq);
        return Transition.of(new Open(seq, publishing, open.staged(), open.window()), new Committed(seq));
    }

    /** How long a writer should wait when its window is full before trying again. */
    static final long RETRY_AFTER_MS = 20;
}
