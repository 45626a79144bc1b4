package dev.switchboard.client.internal;

import dev.switchboard.client.Durability;
import dev.switchboard.client.Event;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.client.internal.WriterLifecycle.Session;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Limits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a publisher's threads share, behind one lock: its lifecycle ({@link WriterLifecycle}: the session,
 * its mirror, the commit in flight, running, stopping or failed) and the bookkeeping beside it: the queued
 * publishes and the chunks not known committed. Each method is one step under the lock; none does I/O, and
 * futures are completed after the lock is released.
 *
 * <p>Invariants: {@code unconfirmed} holds every chunk numbered above {@code committed}, in order and without
 * gaps: exactly what a new session must be sent again. {@code committed} is the newest chunk known in Kafka over
 * every session (a replaced session's answers count too); the lifecycle's mirror only knows the current one.
 */
final class WriterState {
    private static final Logger LOGGER = LoggerFactory.getLogger(WriterState.class);

    /** Starts the commit of chunks up to {@code seq} on {@code session}, on a thread of its own. */
    @FunctionalInterface
    interface Committer {
        Thread start(Session session, long seq);
    }

    /** What the worker does next. */
    sealed interface Work {}

    record Publish(PublishRequest request) implements Work {}

    record Recover(SwitchboardClientException cause) implements Work {}

    record Stop() implements Work {}

    private final PublisherOptions options;
    private final String writerId;
    private final Committer committer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private WriterLifecycle.State state;
    /** The thread of the last commit started: a handle to interrupt it, not whether it runs (the state knows). */
    private Optional<Thread> commitThread = Optional.empty();

    private final ArrayDeque<PublishRequest> queue = new ArrayDeque<>();
    private final ArrayDeque<Chunk> unconfirmed = new ArrayDeque<>();
    private long committed;
    /** The publish the worker is splitting into chunks: not queued any more, maybe not yet in unconfirmed. */
    private Optional<PublishRequest> current = Optional.empty();

    private long committedEvents;
    /** The writer's last committed chunk when the first session was allocated. */
    private long startedAfter;

    /** A writer on its first session, allocated by {@code first}. */
    WriterState(PublisherOptions options, String writerId, Committer committer, AllocateResponse first) {
        this.options = options;
        this.writerId = writerId;
        this.committer = committer;
        long last = checkedSeq(first.isSetLastCommittedSeq() ? first.getLastCommittedSeq() : 0);
        this.state = WriterLifecycle.initial(session(first, last, 0), last);
        this.committed = last;
        this.startedAfter = last;
    }

    long startedAfterChunk() {
        lock.lock();
        try {
            return startedAfter;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a publish; fails its future at once when the publisher has failed or an event is too large (with
     * one chunk per publish, the latter fails the publisher: a later publish must not take this one's number).
     */
    PublishRequest submit(List<Event> events) {
        PublishRequest request = new PublishRequest(events);
        Optional<SwitchboardClientException> refused = Optional.empty();
        lock.lock();
        try {
            Optional<SwitchboardClientException> refusal = switch (state) {
                case WriterLifecycle.Stopping stopping -> throw new IllegalStateException("the publisher is closed");
                case WriterLifecycle.Failed failed -> Optional.of(failed.cause());
                case WriterLifecycle.Running running ->
                    EventLimits.check(events, running.link().session().limits());
            };
            if (refusal.isPresent()) {
                refused = refusal;
            } else {
                queue.addLast(request);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (refused.isPresent()) {
            if (options.oneChunkPerPublish()) {
                fail(refused.get());
            }
            request.future().completeExceptionally(refused.get());
        }
        return request;
    }

    Session session() {
        lock.lock();
        try {
            return sessionOf(state);
        } finally {
            lock.unlock();
        }
    }

    long committed() {
        lock.lock();
        try {
            return committed;
        } finally {
            lock.unlock();
        }
    }

    /** The newest chunk the current session staged (its write was answered): what a final commit may cover. */
    long written() {
        lock.lock();
        try {
            return link().mirror().staged();
        } finally {
            lock.unlock();
        }
    }

    /** Events known committed so far, in order: the first this many events given to the publisher. */
    long committedEvents() {
        lock.lock();
        try {
            return committedEvents;
        } finally {
            lock.unlock();
        }
    }

    Work nextWork() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                switch (WriterLifecycle.nextWork(state, !queue.isEmpty())) {
                    case WriterLifecycle.Finish finish -> {
                        return new Stop();
                    }
                    case WriterLifecycle.Recover recover -> {
                        return new Recover(recover.cause());
                    }
                    case WriterLifecycle.Publish publish -> {
                        PublishRequest next = queue.pollFirst();
                        current = Optional.of(next);
                        return new Publish(next);
                    }
                    case WriterLifecycle.Wait wait -> changed.await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Splits a publish into chunks as the session's limits allow. */
    List<List<Event>> split(PublishRequest request) {
        lock.lock();
        try {
            Limits limits = sessionOf(state).limits();
            int maxEvents = Math.max(1, Math.min(options.chunkEvents(), limits.getMaxEventsPerChunk()));
            List<List<Event>> parts =
                    Chunker.split(request.events(), maxEvents, Math.max(1, limits.getMaxBytesPerChunk()));
            if (options.oneChunkPerPublish() && parts.size() > 1) {
                throw new SwitchboardClientException(
                        ErrorCode.PAYLOAD_TOO_LARGE,
                        "a publish of " + request.events().size() + " events does not fit one chunk (at most "
                                + maxEvents + " events and " + limits.getMaxBytesPerChunk()
                                + " bytes per chunk on this session), and this publisher sends each publish as one"
                                + " chunk: publish fewer events at a time");
            }
            request.expectChunks(parts.size());
            return parts;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for room in the window, then numbers a new chunk (the next after the newest the session staged) and
     * keeps it unconfirmed; empty when the session needs replacing first. The mirror stages the chunk only when
     * the backend answers its write ({@link #written}).
     */
    Optional<Chunk> admit(PublishRequest request, List<dev.switchboard.protocol.thrift.Event> events)
            throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                WriterLifecycle.Link link = link();
                if (link instanceof WriterLifecycle.Lost) {
                    return Optional.empty();
                }
                if (!link.mirror().windowFull()) {
                    Chunk chunk = new Chunk(link.mirror().nextSeq(), events, request);
                    unconfirmed.addLast(chunk);
                    return Optional.of(chunk);
                }
                step(new WriterLifecycle.AwaitRoom());
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for room for a chunk to resend on the new session; throws if that session ended too. */
    Session admitAgain(Chunk chunk) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                WriterLifecycle.Link link = link();
                if (link instanceof WriterLifecycle.Lost lost) {
                    throw lost.cause();
                }
                if (!link.mirror().windowFull()) {
                    return link.session();
                }
                step(new WriterLifecycle.AwaitRoom());
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Why the current session must be replaced, when a commit found out. */
    Optional<SwitchboardClientException> sessionProblem() {
        lock.lock();
        try {
            return lostCause();
        } finally {
            lock.unlock();
        }
    }

    /** The write of {@code seq} on {@code target} was answered: the backend staged it, commits may cover it. */
    void written(Session target, long seq) {
        lock.lock();
        try {
            step(new WriterLifecycle.Written(target, seq));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The worker is about to write {@code chunk} on {@code target}, the last of its publish when {@code lastPart}:
     * true when the commit of it should ride on the write (then it counts as the commit in flight until the write's
     * answer, {@link #writtenWithCommit}). Never with {@code commitOnWrite} off.
     */
    boolean commitRides(Session target, Chunk chunk, boolean lastPart) {
        if (!options.commitOnWrite()) {
            return false;
        }
        lock.lock();
        try {
            WriterLifecycle.Command sending =
                    new WriterLifecycle.Sending(target, chunk.seq(), !lastPart || !queue.isEmpty());
            // the lifecycle is a pure function: asking it first and then applying the same command gives the same
            boolean rides = WriterLifecycle.apply(state, sending).effects().stream()
                    .anyMatch(effect -> effect instanceof WriterLifecycle.CommitRides);
            if (rides) {
                step(sending);
            }
            return rides;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The write of {@code seq} on {@code target}, carrying its commit, was answered: staged, and every chunk up to
     * {@code committedSeq} committed, held as {@code durability}; {@code committedSeq} empty when the node only
     * staged it (older than commits on writes), so the commit starts on its own.
     */
    void writtenWithCommit(Session target, long seq, OptionalLong committedSeq, Durability durability) {
        List<Runnable> completions = List.of();
        lock.lock();
        try {
            if (committedSeq.isPresent()) {
                if (committedSeq.getAsLong() > newestNumbered()) {
                    throw new SwitchboardClientException(
                            ErrorCode.INTERNAL,
                            "the backend says chunk " + committedSeq.getAsLong()
                                    + " is committed, but this publisher numbered chunks only up to "
                                    + newestNumbered());
                }
                completions = confirm(committedSeq.getAsLong(), durability);
            } else {
                LOGGER.debug("the node did not commit on the write; committing apart writer={} seq={}", writerId, seq);
            }
            step(new WriterLifecycle.WrittenWithCommit(target, seq, committedSeq));
        } finally {
            lock.unlock();
        }
        completions.forEach(Runnable::run);
    }

    /** The write carrying a commit was refused before staging: no commit is in flight after all. */
    void rideCancelled(Session target) {
        lock.lock();
        try {
            step(new WriterLifecycle.RideCancelled(target));
        } finally {
            lock.unlock();
        }
    }

    /** The server refused {@code chunk} before staging it: take its number back and fail its publish. */
    void refuse(Chunk chunk, SwitchboardClientException e) {
        lock.lock();
        try {
            if (unconfirmed.peekLast() != chunk) {
                throw new IllegalStateException("refused chunk " + chunk.seq() + " is not the newest");
            }
            unconfirmed.removeLast(); // the mirror never staged it: the next chunk takes its number
        } finally {
            lock.unlock();
        }
        LOGGER.debug("chunk refused writer={} seq={} code={}", writerId, chunk.seq(), e.code());
        chunk.owner().future().completeExceptionally(e);
    }

    /**
     * Makes the new session {@code answer} current. {@code known} is what this writer knew committed when it
     * asked. The answer's last committed chunk is the writer's durable state: chunks up to it are confirmed (they
     * are in Kafka), and the rest are returned, to be resent with their numbers. An answer below {@code known}
     * (the durable state lost commits this writer saw) or above the newest chunk this writer numbered (another
     * publisher writes under the same writer id, or the state is not this writer's) fails the publisher: either
     * way, confirming or renumbering chunks would lose or duplicate events silently.
     */
    List<Chunk> replace(AllocateResponse answer, long known) {
        List<Runnable> completions;
        List<Chunk> resend;
        lock.lock();
        try {
            long last = checkedSeq(answer.isSetLastCommittedSeq() ? answer.getLastCommittedSeq() : known);
            long newest = newestNumbered();
            if (last < known) {
                throw new SwitchboardClientException(
                        ErrorCode.INTERNAL,
                        "the new session says chunk " + last + " is the last committed, but this writer saw chunk "
                                + known + " committed");
            }
            if (last > newest) {
                throw aheadOfThisPublisher(last, newest);
            }
            // the durable writer state is written only after Kafka acknowledged the chunks (acks=all)
            completions = confirm(last, Durability.REPLICATED);
            String cause = lostCause().map(problem -> problem.code().name()).orElse("the session ended");
            Session session = session(answer, last, sessionOf(state).generation() + 1);
            step(new WriterLifecycle.Replaced(session, last));
            resend = List.copyOf(unconfirmed);
            for (int i = 0; i < resend.size(); i++) {
                if (resend.get(i).seq() != last + 1 + i) {
                    throw new SwitchboardClientException(
                            ErrorCode.INTERNAL,
                            "cannot resend chunk " + resend.get(i).seq() + ": the new session continues after chunk "
                                    + last);
                }
            }
            LOGGER.info(
                    "write session replaced writer={} session={} lastCommitted={} resending={}",
                    writerId,
                    session.id(),
                    last,
                    resend.size());
            Failover.writer(options.topic(), cause, resend.size());
        } finally {
            lock.unlock();
        }
        completions.forEach(Runnable::run);
        return resend;
    }

    /**
     * A new session says the writer committed chunks this publisher never numbered. Not a fault of the system
     * (INTERNAL) but of how the writer id is used: another publisher writes under it, or an earlier run of this
     * writer left commits in doubt that landed while this one re-allocated; at-least-once has no fence against that,
     * exactly-once has (the allocation aborts every transaction of the writer still open). Confirming would claim
     * publishes never sent; renumbering would store them twice. Not retriable: the answer will not change.
     */
    private SwitchboardClientException aheadOfThisPublisher(long last, long newest) {
        return new SwitchboardClientException(
                ErrorCode.INVALID_REQUEST,
                "the new session says chunk " + last + " of writer " + writerId + " is committed, but this publisher"
                        + " numbered chunks only up to " + newest + ": is another publisher using the same writer id,"
                        + " or did an earlier run's commits, still in doubt when it ended, land meanwhile"
                        + (options.guarantee() == dev.switchboard.client.Guarantee.EXACTLY_ONCE
                                ? "?"
                                : " (at-least-once cannot rule that out; Guarantee.EXACTLY_ONCE can)?")
                        + " A new publisher with this writer id continues after chunk " + last);
    }

    /** A last committed seq from the server, refused when no writer can have reached it (it would overflow). */
    private static long checkedSeq(long last) {
        if (last < 0 || last > WriteMachine.MAX_SEQ) {
            throw new SwitchboardClientException(
                    ErrorCode.INTERNAL, "the server answered an impossible last committed chunk " + last);
        }
        return last;
    }

    /** Lock held. The newest chunk number handed out: the last unconfirmed chunk, else the last committed. */
    private long newestNumbered() {
        return unconfirmed.isEmpty() ? committed : unconfirmed.peekLast().seq();
    }

    /** A new session from the allocation {@code answer}, continuing after chunk {@code last}. */
    private Session session(AllocateResponse answer, long last, long generation) {
        Limits limits = answer.getLimits();
        int window = Math.max(1, Math.min(options.window().orElse(Integer.MAX_VALUE), limits.getWriteWindow()));
        Session session = new Session(answer.getSessionId(), limits, window, generation);
        LOGGER.info(
                "write session allocated topic={} writer={} session={} window={} lastCommitted={}",
                options.topic(),
                writerId,
                session.id(),
                window,
                last);
        return session;
    }

    /**
     * A commit on {@code target} answered that every chunk up to {@code committedSeq} is committed, held as
     * {@code durability}. An answer beyond the newest chunk this writer numbered fails the publisher: it cannot
     * be this writer's, so it confirms nothing.
     */
    void committed(Session target, long committedSeq, Durability durability) {
        List<Runnable> completions;
        lock.lock();
        try {
            if (committedSeq > newestNumbered()) {
                throw new SwitchboardClientException(
                        ErrorCode.INTERNAL,
                        "the backend says chunk " + committedSeq + " is committed, but this publisher numbered chunks"
                                + " only up to " + newestNumbered());
            }
            completions = confirm(committedSeq, durability);
            step(new WriterLifecycle.Committed(target, committedSeq));
        } finally {
            lock.unlock();
        }
        completions.forEach(Runnable::run);
    }

    /** A commit on {@code target} failed for good: replace the session, or fail the publisher. */
    void commitFailed(Session target, SwitchboardClientException e) {
        List<PublishRequest> failed;
        lock.lock();
        try {
            if (target != sessionOf(state)) {
                LOGGER.debug("ignoring the failed commit of a replaced session writer={}", writerId);
                return;
            }
            if (SessionErrors.needsNewSession(e)) {
                LOGGER.info("write session ended writer={} session={} code={}", writerId, target.id(), e.code());
            }
            failed = step(new WriterLifecycle.CommitFailed(target, e, SessionErrors.needsNewSession(e)));
        } finally {
            lock.unlock();
        }
        failAll(failed);
    }

    /** Lock held. Every chunk up to {@code seq} is committed; returns the completions to run after unlocking. */
    private List<Runnable> confirm(long seq, Durability durability) {
        List<Runnable> completions = new ArrayList<>();
        committed = Math.max(committed, Math.min(seq, newestNumbered()));
        while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().seq() <= committed) {
            Chunk chunk = unconfirmed.pollFirst();
            committedEvents += chunk.events().size();
            PublishRequest owner = chunk.owner();
            if (owner.chunkConfirmed(durability)) {
                completions.add(() -> owner.future().complete(owner.result()));
            }
        }
        return completions;
    }

    /** Fails the publisher for good: every outstanding and later publish fails with {@code e}. */
    void fail(SwitchboardClientException e) {
        List<PublishRequest> failed;
        lock.lock();
        try {
            failed = step(new WriterLifecycle.Fail(e));
        } finally {
            lock.unlock();
        }
        failAll(failed);
    }

    /** Fails each of {@code requests} with the publisher's failure; call without the lock. */
    private void failAll(List<PublishRequest> requests) {
        if (requests.isEmpty()) {
            return;
        }
        SwitchboardClientException cause;
        lock.lock();
        try {
            cause = ((WriterLifecycle.Failed) state).cause();
        } finally {
            lock.unlock();
        }
        requests.forEach(request -> request.future().completeExceptionally(cause));
    }

    /** Lets the worker finish the queue and stop; returns the session to dispose. */
    String stop() {
        lock.lock();
        try {
            step(new WriterLifecycle.Stop());
            return sessionOf(state).id();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lock held. Moves the lifecycle one step and runs its effects that need no I/O; returns the publishes to fail
     * (after unlocking) when the publisher failed.
     */
    private List<PublishRequest> step(WriterLifecycle.Command command) {
        WriterLifecycle.Step step = WriterLifecycle.apply(state, command);
        if (!(state instanceof WriterLifecycle.Failed) && step.state() instanceof WriterLifecycle.Failed failure) {
            LOGGER.warn(
                    "publisher failed writer={} code={} message={}",
                    writerId,
                    failure.cause().code(),
                    failure.cause().getMessage());
        }
        state = step.state();
        List<PublishRequest> failed = new ArrayList<>();
        for (WriterLifecycle.Effect effect : step.effects()) {
            switch (effect) {
                case WriterLifecycle.StartCommit start ->
                    commitThread = Optional.of(committer.start(start.session(), start.seq()));
                case WriterLifecycle.InterruptCommit interrupt -> commitThread.ifPresent(Thread::interrupt);
                case WriterLifecycle.CommitRides rides -> {} // the worker sends it with its write
                case WriterLifecycle.FailPublishes fail -> {
                    current.ifPresent(failed::add); // a publish the worker was on when it failed: in no list yet
                    unconfirmed.forEach(chunk -> failed.add(chunk.owner()));
                    failed.addAll(queue);
                    current = Optional.empty();
                    unconfirmed.clear();
                    queue.clear();
                }
            }
        }
        changed.signalAll();
        return failed;
    }

    /** Lock held. The current session's link; throws the failure when the publisher failed. */
    private WriterLifecycle.Link link() {
        return switch (state) {
            case WriterLifecycle.Running running -> running.link();
            case WriterLifecycle.Stopping stopping -> stopping.link();
            case WriterLifecycle.Failed failed -> throw failed.cause();
        };
    }

    private static Session sessionOf(WriterLifecycle.State state) {
        return switch (state) {
            case WriterLifecycle.Running running -> running.link().session();
            case WriterLifecycle.Stopping stopping -> stopping.link().session();
            case WriterLifecycle.Failed failed -> failed.session();
        };
    }

    /** Lock held. Why the current session must be replaced, when a commit found out. */
    private Optional<SwitchboardClientException> lostCause() {
        return switch (state) {
            case WriterLifecycle.Failed failed -> Optional.empty();
            default -> link() instanceof WriterLifecycle.Lost lost ? Optional.of(lost.cause()) : Optional.empty();
        };
    }
}
