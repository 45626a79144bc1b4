package dev.switchboard.client.internal;

import dev.switchboard.client.Durability;
import dev.switchboard.client.Event;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Limits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a publisher's threads share, behind one lock: the queued publishes, the current session and its
 * mirror ({@link WriteMachine}), the chunks not known committed, and the commit in flight. Each method is one
 * step under the lock; none does I/O, and futures are completed after the lock is released.
 *
 * <p>Invariants: {@code unconfirmed} holds every chunk numbered above {@code committed}, in order and without
 * gaps: exactly what a new session must be sent again. {@code written <= staged}: {@code written} is the newest
 * chunk whose write was answered, and commits never go beyond it, because the mirror counts a chunk as staged
 * when its write is sent while the backend counts it when the write arrives. At most one commit is in flight,
 * for the current session; answers of a replaced session still confirm chunks (they are in Kafka) but no longer
 * move the mirror.
 */
final class WriterState {
    private static final Logger LOGGER = LoggerFactory.getLogger(WriterState.class);

    /** Starts the commit of chunks up to {@code seq} on {@code session}, on a thread of its own. */
    @FunctionalInterface
    interface Committer {
        Thread start(Session session, long seq);
    }

    /** A write session; {@code generation} tells the answers of replaced sessions apart. */
    record Session(String id, Limits limits, int window, long generation) {}

    /** What the worker does next. */
    sealed interface Work {}

    record Publish(PublishRequest request) implements Work {}

    record Recover() implements Work {}

    record Stop() implements Work {}

    private final PublisherOptions options;
    private final String writerId;
    private final Committer committer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private final ArrayDeque<PublishRequest> queue = new ArrayDeque<>();
    private final ArrayDeque<Chunk> unconfirmed = new ArrayDeque<>();
    private Session session;
    private WriteMachine.State mirror;
    private long committed;
    private long written;
    private Optional<Thread> commit = Optional.empty();
    /** The publish the worker is splitting into chunks: not queued any more, maybe not yet in unconfirmed. */
    private Optional<PublishRequest> current = Optional.empty();

    private long committedEvents;
    private Optional<SwitchboardClientException> sessionProblem = Optional.empty();
    private Optional<SwitchboardClientException> failure = Optional.empty();
    private boolean stopping;

    WriterState(PublisherOptions options, String writerId, Committer committer) {
        this.options = options;
        this.writerId = writerId;
        this.committer = committer;
    }

    /** Installs the first session. */
    void begin(AllocateResponse answer) {
        lock.lock();
        try {
            long last = checkedSeq(answer.isSetLastCommittedSeq() ? answer.getLastCommittedSeq() : 0);
            install(answer, last, 0);
            committed = last;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a publish; fails its future at once when the publisher has failed or an event is too large. */
    PublishRequest submit(List<Event> events) {
        PublishRequest request = new PublishRequest(events);
        lock.lock();
        try {
            if (stopping) {
                throw new IllegalStateException("the publisher is closed");
            }
            Optional<SwitchboardClientException> refusal =
                    failure.isPresent() ? failure : EventLimits.check(events, session.limits());
            if (refusal.isPresent()) {
                request.future().completeExceptionally(refusal.get());
            } else {
                queue.addLast(request);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return request;
    }

    Session session() {
        lock.lock();
        try {
            return session;
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

    /** The newest chunk whose write the current session answered: what a final commit may cover. */
    long written() {
        lock.lock();
        try {
            return written;
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

    /** Why the current session must be replaced, when a commit found out. */
    Optional<SwitchboardClientException> sessionProblem() {
        lock.lock();
        try {
            return sessionProblem;
        } finally {
            lock.unlock();
        }
    }

    Work nextWork() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (failure.isPresent() || (stopping && queue.isEmpty())) {
                    return new Stop();
                }
                if (sessionProblem.isPresent()) {
                    return new Recover();
                }
                if (!queue.isEmpty()) {
                    PublishRequest next = queue.pollFirst();
                    current = Optional.of(next);
                    return new Publish(next);
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Splits a publish into chunks as the session's limits allow. */
    List<List<Event>> split(PublishRequest request) {
        lock.lock();
        try {
            Limits limits = session.limits();
            int maxEvents = Math.max(1, Math.min(options.chunkEvents(), limits.getMaxEventsPerChunk()));
            List<List<Event>> parts =
                    Chunker.split(request.events(), maxEvents, Math.max(1, limits.getMaxBytesPerChunk()));
            request.expectChunks(parts.size());
            return parts;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for room in the window, then numbers a new chunk and stages it in the mirror; empty when the session
     * needs replacing first.
     */
    Optional<Chunk> admit(PublishRequest request, List<dev.switchboard.protocol.thrift.Event> events)
            throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                throwIfFailed();
                if (sessionProblem.isPresent()) {
                    return Optional.empty();
                }
                WriteMachine.Open open = Mirror.open(mirror);
                if (!open.windowFull()) {
                    Chunk chunk = new Chunk(open.nextSeq(), events, request);
                    mirror = Mirror.write(mirror, new WriteMachine.Write(chunk.seq()));
                    unconfirmed.addLast(chunk);
                    return Optional.of(chunk);
                }
                startCommitIfIdle();
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for room for a chunk to resend on the new session and stages it; throws if that session ended too. */
    Session admitAgain(Chunk chunk) throws InterruptedException {
        lock.lock();
        try {
            while (Mirror.open(mirror).windowFull()) {
                throwIfFailed();
                if (sessionProblem.isPresent()) {
                    throw sessionProblem.get();
                }
                startCommitIfIdle();
                changed.await();
            }
            mirror = Mirror.write(mirror, new WriteMachine.Write(chunk.seq()));
            return session;
        } finally {
            lock.unlock();
        }
    }

    /** The write of {@code seq} on {@code target} was answered: commits may now cover it. */
    void written(Session target, long seq) {
        lock.lock();
        try {
            if (target == session) {
                written = Math.max(written, seq);
                startCommitIfIdle();
            }
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
            unconfirmed.removeLast();
            WriteMachine.Open open = Mirror.open(mirror);
            mirror = new WriteMachine.Open(open.committed(), open.publishing(), chunk.seq() - 1, open.window());
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
                throw new SwitchboardClientException(
                        ErrorCode.INTERNAL,
                        "the new session says chunk " + last + " of writer " + writerId
                                + " is committed, but this publisher numbered chunks only up to " + newest
                                + ": is another publisher using the same writer id?");
            }
            // the durable writer state is written only after Kafka acknowledged the chunks (acks=all)
            completions = confirm(last, Durability.REPLICATED);
            String cause = sessionProblem.map(problem -> problem.code().name()).orElse("the session ended");
            install(answer, last, session.generation() + 1);
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

    /** Lock held. */
    private void install(AllocateResponse answer, long last, long generation) {
        Limits limits = answer.getLimits();
        int window = Math.max(1, Math.min(options.window().orElse(Integer.MAX_VALUE), limits.getWriteWindow()));
        session = new Session(answer.getSessionId(), limits, window, generation);
        mirror = WriteMachine.initial(last, window);
        written = last;
        sessionProblem = Optional.empty();
        commit = Optional.empty();
        LOGGER.info(
                "write session allocated topic={} writer={} session={} window={} lastCommitted={}",
                options.topic(),
                writerId,
                session.id(),
                window,
                last);
    }

    /** Lock held. Starts a commit of every chunk written, unless one is running or nothing waits. */
    private void startCommitIfIdle() {
        if (commit.isPresent() || failure.isPresent() || sessionProblem.isPresent()) {
            return;
        }
        if (written <= Mirror.open(mirror).committed()) {
            return;
        }
        mirror = Mirror.write(mirror, new WriteMachine.Commit(written));
        commit = Optional.of(committer.start(session, written));
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
                commit = Optional.empty();
                throw new SwitchboardClientException(
                        ErrorCode.INTERNAL,
                        "the backend says chunk " + committedSeq + " is committed, but this publisher numbered chunks"
                                + " only up to " + newestNumbered());
            }
            completions = confirm(committedSeq, durability);
            if (target == session) {
                commit = Optional.empty();
                WriteMachine.Open open = Mirror.open(mirror);
                long published = Math.min(committedSeq, open.publishing());
                if (published > open.committed()) {
                    mirror = Mirror.write(mirror, new WriteMachine.Published(published));
                }
                startCommitIfIdle();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        completions.forEach(Runnable::run);
    }

    /** A commit on {@code target} failed for good: replace the session, or fail the publisher. */
    void commitFailed(Session target, SwitchboardClientException e) {
        lock.lock();
        try {
            if (target != session) {
                LOGGER.debug("ignoring the failed commit of a replaced session writer={}", writerId);
                return;
            }
            commit = Optional.empty();
            mirror = Mirror.write(mirror, new WriteMachine.PublishFailed());
            if (SessionErrors.needsNewSession(e)) {
                LOGGER.info("write session ended writer={} session={} code={}", writerId, target.id(), e.code());
                sessionProblem = Optional.of(e);
                changed.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        fail(e);
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

    private void throwIfFailed() {
        if (failure.isPresent()) {
            throw failure.get();
        }
    }

    /** Fails the publisher for good: every outstanding and later publish fails with {@code e}. */
    void fail(SwitchboardClientException e) {
        List<PublishRequest> failed = new ArrayList<>();
        SwitchboardClientException cause;
        lock.lock();
        try {
            if (failure.isEmpty()) {
                failure = Optional.of(e);
                LOGGER.warn("publisher failed writer={} code={} message={}", writerId, e.code(), e.getMessage());
            }
            cause = failure.get();
            current.ifPresent(failed::add); // a publish the worker was on when it failed: in no list yet
            unconfirmed.forEach(chunk -> failed.add(chunk.owner()));
            failed.addAll(queue);
            current = Optional.empty();
            unconfirmed.clear();
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        failed.forEach(request -> request.future().completeExceptionally(cause));
    }

    /** Lets the worker finish the queue and stop; returns the session to dispose. */
    String stop() {
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
            commit.ifPresent(Thread::interrupt);
            return session.id();
        } finally {
            lock.unlock();
        }
    }
}
