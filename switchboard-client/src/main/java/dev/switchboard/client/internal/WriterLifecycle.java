package dev.switchboard.client.internal;

import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.thrift.Limits;
import java.util.List;
import java.util.OptionalLong;

/**
 * A publisher's lifecycle as one pure transition function: which session it writes through, that session's
 * mirror ({@link WriteMachine}), the commit in flight, and whether it runs, stops or has failed. The chunks not
 * yet confirmed and the queued publishes are bookkeeping kept apart, in {@link WriterState}.
 *
 * <pre>
 *                   Stop                        (the worker finishes the queue, then stops)
 *   Running(link) -------> Stopping(link)
 *        |                     |
 *        +------ Fail ---------+----> Failed    (every later call fails; the first cause is kept)
 *
 *   link:  Healthy --CommitFailed (needs a new session)--> Lost --Replaced--> Healthy (a new session)
 * </pre>
 *
 * A chunk is staged in the mirror when the backend answered its write ({@link Written}), so the mirror never
 * counts a chunk the backend may not hold, and a write the backend refused leaves nothing to take back. Only the
 * current session's answers move the mirror; a replaced session's answers change nothing here (its commits still
 * confirm chunks, in the bookkeeping). A commit starts whenever none is in flight and a written chunk is not
 * known committed.
 *
 * <p>The commit may ride on a write ({@link Sending}): when none is in flight and the worker would wait right after
 * the write anyway (nothing more to write at once, or the chunk fills the window), the write carries the commit of
 * its chunk, which counts as the commit in flight until the write's answer ({@link WrittenWithCommit}); the write and
 * its commit are then one call instead of two. A node too old to commit on a write answers without a commit: the
 * commit then starts on its own.
 */
final class WriterLifecycle {
    private WriterLifecycle() {}

    /** A write session; {@code generation} tells the answers of replaced sessions apart. */
    record Session(String id, Limits limits, int window, long generation) {}

    public sealed interface State {}

    /** The publisher takes publishes and writes them through {@code link}. */
    record Running(Link link) implements State {}

    /** {@link #stop} was called: the worker finishes the queued publishes through {@code link}, then stops. */
    record Stopping(Link link) implements State {}

    /** The publisher failed for good; {@code session} is the last one, still to be disposed. */
    record Failed(Session session, SwitchboardClientException cause) implements State {}

    /** The session the publisher writes through, and how it stands. */
    sealed interface Link {
        Session session();

        WriteMachine.Open mirror();
    }

    /** The session works; {@code commit} is the chunk seq of the commit in flight on it, if any. */
    record Healthy(Session session, WriteMachine.Open mirror, OptionalLong commit) implements Link {}

    /** A commit found the session ended: the worker must replace it before writing more. */
    record Lost(Session session, WriteMachine.Open mirror, SwitchboardClientException cause) implements Link {}

    public sealed interface Command {}

    /** The write of chunk {@code seq} on {@code target} was answered: the backend staged it. */
    record Written(Session target, long seq) implements Command {}

    /**
     * The worker is about to write chunk {@code seq} on {@code target}; {@code moreToWrite} when it has another chunk
     * to write at once. Answers {@link CommitRides} when the write should carry the commit of its chunk.
     */
    record Sending(Session target, long seq, boolean moreToWrite) implements Command {}

    /**
     * The write of chunk {@code seq} on {@code target}, with the commit riding on it, was answered: every chunk up
     * to {@code committed} is in Kafka; empty when the node only staged the chunk (older than commits on writes).
     */
    record WrittenWithCommit(Session target, long seq, OptionalLong committed) implements Command {}

    /** The write carrying a commit was refused before staging its chunk: no commit is in flight after all. */
    record RideCancelled(Session target) implements Command {}

    /** The worker waits for room in the window: a commit must run to make some. */
    record AwaitRoom() implements Command {}

    /** A commit on {@code target} answered: every chunk up to {@code seq} is in Kafka. */
    record Committed(Session target, long seq) implements Command {}

    /** A commit on {@code target} failed for good; {@code needsNewSession} when another session may carry on. */
    record CommitFailed(Session target, SwitchboardClientException cause, boolean needsNewSession) implements Command {}

    /** The worker allocated {@code session}, which continues after chunk {@code lastCommitted}. */
    record Replaced(Session session, long lastCommitted) implements Command {}

    record Fail(SwitchboardClientException cause) implements Command {}

    record Stop() implements Command {}

    public sealed interface Effect {}

    /** Start committing every chunk up to {@code seq} on {@code session}. */
    record StartCommit(Session session, long seq) implements Effect {}

    /** Send the write of chunk {@code seq} with the commit of it riding on it. */
    record CommitRides(long seq) implements Effect {}

    /** The commit in flight is no longer awaited: interrupt it. */
    record InterruptCommit() implements Effect {}

    /** The publisher failed with {@code cause}: fail every outstanding publish. */
    record FailPublishes(SwitchboardClientException cause) implements Effect {}

    /** What one step yields: the next state and the effects to run, in order. */
    record Step(State state, List<Effect> effects) {
        Step(State state, Effect... effects) {
            this(state, List.of(effects));
        }
    }

    /** The state of a publisher whose first session {@code session} continues after chunk {@code last}. */
    static State initial(Session session, long last) {
        return new Running(healthy(session, last));
    }

    static Step apply(State state, Command command) {
        return switch (state) {
            case Failed failed -> onFailed(failed, command);
            case Running running -> onOpen(state, running.link(), command);
            case Stopping stopping -> onOpen(state, stopping.link(), command);
        };
    }

    private static Step onOpen(State state, Link link, Command command) {
        return switch (command) {
            case Fail fail -> new Step(new Failed(link.session(), fail.cause()), new FailPublishes(fail.cause()));
            case Stop stop ->
                state instanceof Stopping
                        ? new Step(state)
                        : link instanceof Healthy healthy && healthy.commit().isPresent()
                                ? new Step(new Stopping(link), new InterruptCommit())
                                : new Step(new Stopping(link));
            case Replaced replaced -> new Step(with(state, healthy(replaced.session(), replaced.lastCommitted())));
            default -> onLink(state, link, command);
        };
    }

    /**
     * A failed publisher stays failed: it fails what is still outstanding again, and only follows a session the
     * worker allocated meanwhile, so that stopping disposes it.
     */
    private static Step onFailed(Failed failed, Command command) {
        return switch (command) {
            case Fail fail -> new Step(failed, new FailPublishes(failed.cause()));
            case Stop stop -> new Step(failed, new InterruptCommit());
            case Replaced replaced -> new Step(new Failed(replaced.session(), failed.cause()));
            default -> new Step(failed);
        };
    }

    /** The commands about the current session. */
    private static Step onLink(State state, Link link, Command command) {
        return switch (command) {
            case Written written -> {
                if (written.target() != link.session()) {
                    yield new Step(state);
                }
                WriteMachine.Open mirror = stage(link.mirror(), written.seq());
                yield link instanceof Healthy healthy
                        ? startCommitIfIdle(state, new Healthy(healthy.session(), mirror, healthy.commit()))
                        : new Step(with(state, new Lost(link.session(), mirror, ((Lost) link).cause())));
            }
            case Sending sending -> {
                if (sending.target() == link.session()
                        && link instanceof Healthy healthy
                        && healthy.commit().isEmpty()
                        && healthy.mirror().staged() + 1 == sending.seq()
                        && (!sending.moreToWrite()
                                || healthy.mirror().staged()
                                                + 1
                                                - healthy.mirror().committed()
                                        >= healthy.mirror().window())) {
                    yield new Step(
                            with(
                                    state,
                                    new Healthy(healthy.session(), healthy.mirror(), OptionalLong.of(sending.seq()))),
                            new CommitRides(sending.seq()));
                }
                yield new Step(state);
            }
            case WrittenWithCommit written -> {
                if (written.target() != link.session()) {
                    yield new Step(state);
                }
                if (written.committed().isEmpty()) { // an older node only staged it: commit on its own
                    WriteMachine.Open mirror = stage(link.mirror(), written.seq());
                    yield link instanceof Healthy healthy
                            ? startCommitIfIdle(state, new Healthy(healthy.session(), mirror, OptionalLong.empty()))
                            : new Step(with(state, new Lost(link.session(), mirror, ((Lost) link).cause())));
                }
                WriteMachine.Open mirror = published(
                        Mirror.open(Mirror.write(link.mirror(), new WriteMachine.WriteAndCommit(written.seq()))),
                        written.committed().getAsLong());
                yield link instanceof Lost lost
                        ? new Step(with(state, new Lost(lost.session(), mirror, lost.cause())))
                        : startCommitIfIdle(state, new Healthy(link.session(), mirror, OptionalLong.empty()));
            }
            case RideCancelled cancelled ->
                cancelled.target() == link.session() && link instanceof Healthy healthy
                        ? startCommitIfIdle(
                                state, new Healthy(healthy.session(), healthy.mirror(), OptionalLong.empty()))
                        : new Step(state);
            case AwaitRoom awaitRoom ->
                link instanceof Healthy healthy ? startCommitIfIdle(state, healthy) : new Step(state);
            case Committed committed -> {
                if (committed.target() != link.session()) {
                    yield new Step(state);
                }
                WriteMachine.Open mirror = published(link.mirror(), committed.seq());
                yield link instanceof Lost lost
                        ? new Step(with(state, new Lost(lost.session(), mirror, lost.cause())))
                        : startCommitIfIdle(state, new Healthy(link.session(), mirror, OptionalLong.empty()));
            }
            case CommitFailed failed -> {
                if (failed.target() != link.session()) {
                    yield new Step(state);
                }
                WriteMachine.Open mirror = Mirror.open(Mirror.write(link.mirror(), new WriteMachine.PublishFailed()));
                if (failed.needsNewSession()) {
                    yield new Step(with(state, new Lost(link.session(), mirror, failed.cause())));
                }
                yield new Step(new Failed(link.session(), failed.cause()), new FailPublishes(failed.cause()));
            }
            case Fail fail -> throw new AssertionError("handled by onOpen");
            case Stop stop -> throw new AssertionError("handled by onOpen");
            case Replaced replaced -> throw new AssertionError("handled by onOpen");
        };
    }

    /** Starts a commit of every written chunk, unless one is in flight or every written chunk is committed. */
    private static Step startCommitIfIdle(State state, Healthy healthy) {
        WriteMachine.Open mirror = healthy.mirror();
        if (healthy.commit().isPresent() || mirror.staged() <= mirror.committed()) {
            return new Step(with(state, healthy));
        }
        long seq = mirror.staged();
        WriteMachine.Open committing = Mirror.open(Mirror.write(mirror, new WriteMachine.Commit(seq)));
        return new Step(
                with(state, new Healthy(healthy.session(), committing, OptionalLong.of(seq))),
                new StartCommit(healthy.session(), seq));
    }

    private static Healthy healthy(Session session, long last) {
        return new Healthy(
                session, (WriteMachine.Open) WriteMachine.initial(last, session.window()), OptionalLong.empty());
    }

    private static WriteMachine.Open stage(WriteMachine.Open mirror, long seq) {
        return Mirror.open(Mirror.write(mirror, new WriteMachine.Write(seq)));
    }

    /**
     * The mirror after a commit answer: chunks up to {@code seq} are in Kafka, as far as this session published
     * them (a commit answer may also report chunks an earlier, rewound publish got into Kafka).
     */
    private static WriteMachine.Open published(WriteMachine.Open mirror, long seq) {
        long published = Math.min(seq, mirror.publishing());
        return published > mirror.committed()
                ? Mirror.open(Mirror.write(mirror, new WriteMachine.Published(published)))
                : mirror;
    }

    /** {@code state} with its link replaced, running or stopping as before. */
    private static State with(State state, Link link) {
        return switch (state) {
            case Running running -> new Running(link);
            case Stopping stopping -> new Stopping(link);
            case Failed failed -> failed;
        };
    }

    /** What the worker does next, given the state and whether publishes are queued. */
    sealed interface Work {}

    record Publish() implements Work {}

    record Recover(SwitchboardClientException cause) implements Work {}

    record Finish() implements Work {}

    record Wait() implements Work {}

    static Work nextWork(State state, boolean queued) {
        return switch (state) {
            case Failed failed -> new Finish();
            case Stopping stopping when !queued -> new Finish();
            case Running running -> linkWork(running.link(), queued);
            case Stopping stopping -> linkWork(stopping.link(), queued);
        };
    }

    private static Work linkWork(Link link, boolean queued) {
        if (link instanceof Lost lost) {
            return new Recover(lost.cause());
        }
        return queued ? new Publish() : new Wait();
    }
}
