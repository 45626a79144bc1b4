package dev.switchboard.client.internal;

import dev.switchboard.client.Durability;
import dev.switchboard.client.Event;
import dev.switchboard.client.Guarantee;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's engine: one worker thread writes chunks in order through a write session while commits run
 * beside it, so Kafka round trips overlap with later writes. The shared state and its rules are in
 * {@link WriterState}; this class does the I/O.
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>Threads: the worker ({@link #run}) does every write, allocation and resend, one at a time and in chunk
 *       order; each commit runs on a virtual thread of its own, cumulative for every chunk written when it
 *       started, and the next one starts when it answers. The worker waits for commit answers only when the
 *       window is full. When no commit is in flight and the worker would wait after a write anyway (nothing more to
 *       write at once, or the window full), the commit rides on that write instead ({@code commitOnWrite}): one
 *       call, answered once the chunk is committed.
 *   <li>A lost session (SESSION_LOST, DRAINING, or OUT_OF_SEQUENCE, which means the mirror and the backend
 *       disagree) is replaced by a new one allocated with the same writer id and {@code lastCommittedSeq} = the
 *       last chunk known committed; the chunks it does not report committed are resent with their own numbers,
 *       so their events keep their {@code sb-id}.
 *   <li>A write the server refuses before staging it (PAYLOAD_TOO_LARGE, INVALID_REQUEST) fails its publish
 *       only. Any other error fails the publisher for good.
 * </ul>
 */
final class WritePipeline implements Runnable {
    private static final Logger LOGGER = LoggerFactory.getLogger(WritePipeline.class);

    private final Rpc rpc;
    private final PublisherOptions options;
    private final String writerId;
    private final WriterState state;

    /** Allocates the first session; start the worker after. */
    WritePipeline(Rpc rpc, PublisherOptions options, String writerId) throws InterruptedException {
        this.rpc = rpc;
        this.options = options;
        this.writerId = writerId;
        this.state = new WriterState(options, writerId, this::startCommit, rpc.allocate(allocateRequest()));
    }

    private AllocateRequest allocateRequest() {
        return new AllocateRequest(options.topic(), SessionMode.WRITE)
                .setWriterId(writerId)
                .setGuarantee(
                        options.guarantee() == Guarantee.EXACTLY_ONCE
                                ? dev.switchboard.protocol.thrift.Guarantee.EXACTLY_ONCE
                                : dev.switchboard.protocol.thrift.Guarantee.AT_LEAST_ONCE);
    }

    PublishRequest submit(List<Event> events) {
        return state.submit(events);
    }

    long committedEvents() {
        return state.committedEvents();
    }

    long startedAfterChunk() {
        return state.startedAfterChunk();
    }

    int window() {
        return state.session().window();
    }

    /** Lets the worker finish the queue and stop; returns the session to dispose. */
    String stop() {
        return state.stop();
    }

    @Override
    public void run() {
        try {
            while (true) {
                switch (state.nextWork()) {
                    case WriterState.Publish publish -> publish(publish.request());
                    case WriterState.Recover recover -> recover(Optional.of(recover.cause()));
                    case WriterState.Stop stop -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            state.fail(new SwitchboardClientException(ErrorCode.UNAVAILABLE, "the publisher was interrupted", e));
        } catch (SwitchboardClientException e) {
            state.fail(e);
        } catch (RuntimeException e) {
            LOGGER.error("publisher failed unexpectedly writer={}", writerId, e);
            state.fail(new SwitchboardClientException(ErrorCode.INTERNAL, "the publisher failed: " + e, e));
        }
    }

    private void publish(PublishRequest request) throws InterruptedException {
        List<List<Event>> parts = state.split(request);
        if (parts.isEmpty()) {
            request.future().complete(request.result());
        }
        for (int index = 0; index < parts.size(); index++) {
            List<Event> part = parts.get(index);
            if (request.future().isDone()) {
                return; // the server refused an earlier chunk of this publish
            }
            List<dev.switchboard.protocol.thrift.Event> events =
                    part.stream().map(ThriftEvents::toThrift).toList();
            Optional<Chunk> chunk = state.admit(request, events);
            while (chunk.isEmpty()) {
                recover(state.sessionProblem());
                chunk = state.admit(request, events);
            }
            send(chunk.get(), index == parts.size() - 1);
        }
    }

    /** Writes {@code chunk}, with the commit riding on it when the publisher would commit right after it. */
    private void send(Chunk chunk, boolean lastPart) throws InterruptedException {
        WriterLifecycle.Session current = state.session();
        boolean rides = state.commitRides(current, chunk, lastPart);
        WriteRequest request = new WriteRequest(current.id(), chunk.seq(), chunk.events());
        if (rides) {
            request.setCommit(true);
        }
        WriteResponse answer;
        try {
            answer = rpc.write(request);
        } catch (SwitchboardClientException e) {
            if (SessionErrors.needsNewSession(e)) {
                LOGGER.info("write session ended writer={} session={} code={}", writerId, current.id(), e.code());
                recover(Optional.of(e)); // resends every unconfirmed chunk, this one included
                return;
            }
            if (SessionErrors.rejectsRequest(e) && !options.oneChunkPerPublish()) {
                if (rides) {
                    state.rideCancelled(current);
                }
                state.refuse(chunk, e);
                return;
            }
            throw e;
        }
        if (rides) {
            state.writtenWithCommit(
                    current,
                    chunk.seq(),
                    answer.isSetCommit() ? OptionalLong.of(answer.getCommit().getCommittedSeq()) : OptionalLong.empty(),
                    answer.isSetCommit() ? durability(answer.getCommit()) : Durability.REPLICATED);
        } else {
            state.written(current, chunk.seq());
        }
    }

    /**
     * Allocates a new session and resends what is not known committed, in rounds until the retry budget is spent.
     * A session that ended because its node drains still answers commits: committing what it holds first tells
     * exactly which chunks are in Kafka, so none is resent (and stored twice).
     */
    private void recover(Optional<SwitchboardClientException> cause) throws InterruptedException {
        if (cause.isPresent() && cause.get().code() == ErrorCode.DRAINING) {
            commitBeforeLeaving();
        }
        Retrier.Budget budget = rpc.retrier().startBudget();
        for (int round = 1; ; round++) {
            try {
                resend(reallocate());
                return;
            } catch (SwitchboardClientException e) {
                if (!SessionErrors.needsNewSession(e) || budget.spent()) {
                    throw e;
                }
                LOGGER.info("new write session ended too writer={} code={} round={}", writerId, e.code(), round);
                rpc.retrier().pause(round);
            }
        }
    }

    /** Commits every chunk written on a draining session; a failure only means those chunks are resent. */
    private void commitBeforeLeaving() throws InterruptedException {
        WriterLifecycle.Session old = state.session();
        long written = state.written();
        if (written <= state.committed()) {
            return;
        }
        try {
            CommitResponse answer = rpc.commit(new CommitRequest(old.id(), written));
            state.committed(old, answer.getCommittedSeq(), durability(answer));
            LOGGER.info(
                    "committed on the draining session before moving writer={} session={} committed={}",
                    writerId,
                    old.id(),
                    answer.getCommittedSeq());
        } catch (SwitchboardClientException e) {
            LOGGER.info(
                    "draining session did not commit; its chunks are resent writer={} session={} code={}",
                    writerId,
                    old.id(),
                    e.code());
        }
    }

    private List<Chunk> reallocate() throws InterruptedException {
        WriterLifecycle.Session old = state.session();
        long known = state.committed();
        rpc.disposeQuietly(old.id());
        AllocateResponse answer = rpc.allocate(allocateRequest().setLastCommittedSeq(known));
        return state.replace(answer, known);
    }

    /** Sends chunks again with their own numbers on the new session, committing as the window requires. */
    private void resend(List<Chunk> chunks) throws InterruptedException {
        for (Chunk chunk : chunks) {
            WriterLifecycle.Session current = state.admitAgain(chunk);
            rpc.write(new WriteRequest(current.id(), chunk.seq(), chunk.events()));
            state.written(current, chunk.seq());
        }
    }

    private Thread startCommit(WriterLifecycle.Session target, long seq) {
        return Thread.ofVirtual().name("switchboard-commit-" + writerId).start(() -> runCommit(target, seq));
    }

    /** How the answer's chunks are held; a backend that predates the field always meant acks=all. */
    private static Durability durability(CommitResponse answer) {
        return answer.isSetDurability() && answer.getDurability() == dev.switchboard.protocol.thrift.Durability.SPILLED
                ? Durability.SPILLED
                : Durability.REPLICATED;
    }

    private void runCommit(WriterLifecycle.Session target, long seq) {
        try {
            CommitResponse answer = rpc.commit(new CommitRequest(target.id(), seq));
            state.committed(target, answer.getCommittedSeq(), durability(answer));
        } catch (SwitchboardClientException e) {
            state.commitFailed(target, e);
        } catch (InterruptedException e) {
            state.commitFailed(target, new SwitchboardClientException(ErrorCode.UNAVAILABLE, "commit interrupted", e));
        } catch (RuntimeException e) {
            LOGGER.error("commit failed unexpectedly writer={}", writerId, e);
            state.commitFailed(target, new SwitchboardClientException(ErrorCode.INTERNAL, "commit failed: " + e, e));
        }
    }
}
