package dev.switchboard.backend.internal;

import dev.switchboard.backend.SessionLimits;
import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.Durability;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.TraceContext;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write session: runs {@link WriteSessionMachine} (the protocol's {@link WriteMachine} and what the node knows
 * about its commits), keeps staged chunks as ready-to-send records, and publishes them through the node-wide
 * {@link NodeProducer} when a commit asks. Publish outcomes are fed back to the machine by {@link PublishPipeline},
 * in order. A commit's wait ends by its publish, the node's spill, or max-wait by the injected clock, whose
 * deadline the injected {@link Scheduler} wakes it for.
 *
 * <p>Invariant: {@code staged} holds exactly the chunks in {@code (committed, staged]} of the machine's state.
 */
final class WriteSession extends HostedSession {
    private static final Logger LOGGER = LoggerFactory.getLogger(WriteSession.class);
    private final WriterKey key;
    private final String writerId;
    private final ChunkValidator validator;
    private final WriterStateRecords writerStates;
    private final NavigableMap<Long, List<ProducerRecord<byte[], byte[]>>> staged = new TreeMap<>();
    private final ChunkPublisher publisher;
    private final PublishPipeline pipeline;
    private final RecordCipher cipher;
    /** True while the node drains with a spill journal: commits wait for Kafka or the spill, not max-wait. */
    private final BooleanSupplier holdsCommits;
    /** Completes once the node's spill at the drain deadline is over (spilled or not). */
    private final CompletableFuture<Void> spillDone = new CompletableFuture<>();

    private final StagedBytes.Account budget;
    /** The bytes each staged chunk holds of the node's staged-bytes budget; keys mirror {@code staged}. */
    private final NavigableMap<Long, Long> stagedBytes = new TreeMap<>();

    /** Wakes a waiting commit at its max-wait deadline, by the session's clock. */
    private final Scheduler scheduler;

    private WriteSessionMachine.State state;

    WriteSession(
            SessionId id,
            WriterKey key,
            long lastCommittedSeq,
            SessionLimits limits,
            ChunkPublisher publisher,
            WriterStateRecords writerStates,
            Executor executor,
            Clock clock,
            Scheduler scheduler,
            RecordCipher cipher,
            BooleanSupplier holdsCommits,
            StagedBytes.Account budget) {
        super(id, key.topic(), executor, clock);
        this.budget = budget;
        this.scheduler = scheduler;
        this.cipher = cipher;
        this.holdsCommits = holdsCommits;
        this.key = key;
        this.writerId = key.writerId();
        this.validator = new ChunkValidator(limits);
        this.writerStates = writerStates;
        this.publisher = publisher;
        this.pipeline = new PublishPipeline(publisher, limits.maxWait());
        this.state = WriteSessionMachine.initial(lastCommittedSeq, limits.writeWindow());
    }

    @Override
    public SessionMode mode() {
        return SessionMode.WRITE;
    }

    String writerId() {
        return writerId;
    }

    @Override
    SwitchResponse handle(SwitchRequest request) {
        throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "a write session takes write and commit");
    }

    /**
     * A commit answers once Kafka acknowledged its chunks, but waits off the queue so writes keep flowing; so does a
     * write with the commit riding on it, once its chunk is staged.
     */
    @Override
    CompletableFuture<SwitchResponse> handleAsync(SwitchRequest request) {
        return switch (request.getSetField()) {
            case COMMIT -> awaiting(commit(request.getCommit())).thenApply(SwitchResponse::commit);
            case WRITE -> {
                Written written = write(request.getWrite());
                if (!request.getWrite().isCommit()) {
                    yield CompletableFuture.completedFuture(SwitchResponse.write(written.answer()));
                }
                yield awaiting(commitAnswer(written.awaited()))
                        .thenApply(
                                commit -> SwitchResponse.write(written.answer().setCommit(commit)));
            }
            default -> super.handleAsync(request);
        };
    }

    /** A write's answer and, when a commit rides on it, the chunk that commit waits for (-1: answer at once). */
    private record Written(WriteResponse answer, long awaited) {}

    private Written write(WriteRequest request) {
        long seq = request.getSeq();
        validator.validate(seq, request.getEvents());
        settlePublishes();
        WriteMachine.Command command =
                request.isCommit() ? new WriteMachine.WriteAndCommit(seq) : new WriteMachine.Write(seq);
        // Sealed only when the machine stages the chunk (a BUSY or repeated write costs no encryption), and before
        // the machine moves, so a failure here cannot leave a staged seq without its chunk. The machine is a pure
        // function: asking it first and then applying the same command gives the same effects.
        boolean stages = WriteSessionMachine.apply(state, new WriteSessionMachine.Protocol(command)).effects().stream()
                .anyMatch(effect -> effect instanceof WriteMachine.Stage);
        long bytes = stages
                ? request.getEvents().stream().mapToLong(EventRecords::sizeOf).sum()
                : 0;
        if (stages) {
            budget.reserve(bytes); // BUSY when the node, or this session's principal, holds too many uncommitted bytes
        }
        List<ProducerRecord<byte[], byte[]>> chunk;
        try {
            chunk = stages ? records(seq, request.getEvents()) : List.of();
        } catch (RuntimeException e) {
            budget.release(bytes);
            throw e;
        }
        // the effects come in order: the write's (Stage, AlreadyStaged), then those of a commit riding on it
        long awaited = -1;
        for (WriteMachine.Effect effect : step(command)) {
            switch (effect) {
                case WriteMachine.Stage stage -> {
                    staged.put(stage.seq(), chunk);
                    stagedBytes.put(stage.seq(), bytes);
                }
                case WriteMachine.AlreadyStaged already -> {}
                default -> awaited = Math.max(awaited, commitEffect(effect));
            }
        }
        return new Written(new WriteResponse(seq, writing().protocol().staged()), awaited);
    }

    private CompletableFuture<CommitResponse> commit(CommitRequest request) {
        settlePublishes();
        long awaited = -1;
        for (WriteMachine.Effect effect : step(new WriteMachine.Commit(request.getSeq()))) {
            awaited = Math.max(awaited, commitEffect(effect));
        }
        return commitAnswer(awaited);
    }

    /** Runs one effect of a commit; the chunk the commit waits for when it is an AwaitCommitted, else -1. */
    private long commitEffect(WriteMachine.Effect effect) {
        switch (effect) {
            case WriteMachine.Publish publish ->
                pipeline.publish(
                        publish.from(),
                        publish.to(),
                        recordsBetween(publish.from(), publish.to()),
                        // made when it is sent, from what the node knows then: never lower than a known commit
                        () -> writerStates.record(key, publish.to()));
            case WriteMachine.AwaitCommitted await -> {
                return await.seq();
            }
            case WriteMachine.Committed committed -> {}
            case Rejection rejection -> throw rejection.toException();
            default -> throw unexpected(effect);
        }
        return -1;
    }

    /** The commit's answer: at once when nothing is awaited ({@code awaited} -1), else once Kafka acknowledged it. */
    private CompletableFuture<CommitResponse> commitAnswer(long awaited) {
        if (awaited < 0) {
            return CompletableFuture.completedFuture(answer());
        }
        return awaitCommitted(awaited, clock().millis() + pipeline.maxWait().toMillis());
    }

    /**
     * On the queue: answers once {@code committed} reaches {@code seq}. Until then it waits, off the queue, for the
     * oldest publish in flight (at most until {@code deadline}, the clock's millis) and checks again on the queue. UNAVAILABLE when
     * Kafka failed the publish (the chunks stay staged; a new commit publishes them again) or did not answer in
     * time (the publish stays in flight; a new commit waits for it). While the node drains with a spill journal,
     * a commit waits past max-wait, for Kafka or for the spill at the drain deadline: it is answered SPILLED when
     * its chunks went to the journal, never left to the client to resend while they may still land.
     */
    private CompletableFuture<CommitResponse> awaitCommitted(long seq, long deadline) {
        Optional<SwitchboardException> failure = pipeline.settle(this::protocolStep);
        if (committed() >= seq) {
            return CompletableFuture.completedFuture(answer());
        }
        if (spillDone.isDone()) {
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE, "the node drained before Kafka acknowledged the chunks; commit again");
        }
        Optional<CompletableFuture<Void>> oldest = pipeline.oldest();
        CompletableFuture<Void> next;
        if (holdsCommits.getAsBoolean()) {
            CompletableFuture<Void> kafka = oldest.map(publish -> publish.handle((ignored, error) -> (Void) null))
                    .orElseGet(CompletableFuture::new);
            next = CompletableFuture.anyOf(kafka, spillDone).handle((ignored, error) -> null);
        } else {
            if (failure.isPresent()) {
                step(new WriteSessionMachine.GaveUp()); // answered: the client resends these chunks
                throw failure.get();
            }
            if (oldest.isEmpty()) {
                step(new WriteSessionMachine.GaveUp());
                throw SwitchboardException.of(
                        ErrorCode.UNAVAILABLE, "publishing chunks up to " + seq + " failed; commit again");
            }
            long remaining = deadline - clock().millis();
            if (remaining <= 0) {
                throw commitTimedOut(seq);
            }
            CompletableFuture<Void> due = scheduler.after(Duration.ofMillis(remaining));
            next = CompletableFuture.anyOf(oldest.get(), due)
                    .handle((ignored, error) -> (Void) null)
                    .whenComplete((ignored, error) -> due.cancel(false)); // Kafka answered first: no timer left
        }
        return next.thenCompose(ignored -> onQueue(() -> awaitCommitted(seq, deadline)))
                .thenCompose(answer -> answer);
    }

    /**
     * A commit whose chunks Kafka did not acknowledge within max-wait: the publish stays in flight, so they may yet
     * land or not. Retriable: a new commit waits for the same publish, and a new allocation of the writer answers
     * the last committed chunk from the durable state.
     */
    private SwitchboardException commitTimedOut(long seq) {
        return SwitchboardException.of(
                ErrorCode.UNAVAILABLE,
                "the backend's commit to Kafka timed out: Kafka did not acknowledge chunks up to " + seq + " of writer "
                        + writerId + " within max-wait (" + pipeline.maxWait().toMillis() + " ms); they may or may"
                        + " not be committed; retriable: commit again, or allocate the writer again and its answer"
                        + " says the last committed chunk");
    }

    /** The commit answer for everything committed so far: REPLICATED, or SPILLED when the spill covered it. */
    private CommitResponse answer() {
        WriteSessionMachine.Writing writing = writing();
        return new CommitResponse(writing.committed())
                .setDurability(writing.spilledCommitted() ? Durability.SPILLED : Durability.REPLICATED);
    }

    /**
     * On the queue, after the node's producer closed at the drain deadline: the staged chunks a commit waits for
     * that Kafka did not acknowledge, in order; what the node must spill for this session.
     */
    List<SpillJournal.Chunk> unacknowledged() {
        // an exactly-once writer's chunks are never spilled: re-injected outside its transactions they could be
        // stored twice; its commits answer UNAVAILABLE and the client resends them on a session that fenced this one
        if (!(state instanceof WriteSessionMachine.Writing) || publisher instanceof TransactionalPublisher) {
            return List.of();
        }
        settlePublishes();
        WriteSessionMachine.Range range = writing().unacknowledged();
        if (range.isEmpty()) {
            return List.of();
        }
        List<SpillJournal.Chunk> chunks = new ArrayList<>();
        staged.subMap(range.from(), true, range.to(), true)
                .forEach((seq, records) -> chunks.add(new SpillJournal.Chunk(key, seq, records)));
        return chunks;
    }

    /** On the queue: chunks up to {@code seq} are in the spill journal, on disk; waiting commits answer SPILLED. */
    void spilled(long seq) {
        if (state instanceof WriteSessionMachine.Writing before && seq > before.committed()) {
            step(new WriteSessionMachine.Spilled(seq));
            LOGGER.info(
                    "chunks spilled session={} writer={} from={} to={}", id(), writerId, before.committed() + 1, seq);
        }
    }

    /** The spill is over, whatever it did: waiting commits answer now. Safe from any thread. */
    void spillFinished() {
        spillDone.complete(null);
    }

    /** Reports finished publishes to the machine, so a completed commit frees the window. */
    private void settlePublishes() {
        pipeline.settle(this::protocolStep)
                .ifPresent(failure -> LOGGER.warn(
                        "publish failed, chunks stay staged session={} writer={} error={}",
                        id(),
                        writerId,
                        failure.code()));
    }

    private List<WriteMachine.Effect> step(WriteMachine.Command command) {
        return step(new WriteSessionMachine.Protocol(command));
    }

    private void protocolStep(WriteMachine.Command command) {
        step(command);
    }

    /** Applies a command and runs the effects every path shares: Committed drops chunks, Rewound logs. */
    private List<WriteMachine.Effect> step(WriteSessionMachine.Command command) {
        Transition<WriteSessionMachine.State, WriteMachine.Effect> transition =
                WriteSessionMachine.apply(state, command);
        state = transition.state();
        for (WriteMachine.Effect effect : transition.effects()) {
            if (effect instanceof WriteMachine.Committed committed) {
                staged.headMap(committed.seq(), true).clear();
                releaseStagedBytes(stagedBytes.headMap(committed.seq(), true));
                LOGGER.debug("chunks committed session={} writer={} seq={}", id(), writerId, committed.seq());
            } else if (effect instanceof WriteMachine.Rewound rewound) {
                pipeline.clear();
                LOGGER.debug("publish rewound session={} writer={} committed={}", id(), writerId, rewound.committed());
            }
        }
        return transition.effects();
    }

    private long committed() {
        return writing().committed();
    }

    private WriteSessionMachine.Writing writing() {
        if (state instanceof WriteSessionMachine.Writing writing) {
            return writing;
        }
        throw SwitchboardException.of(ErrorCode.SESSION_LOST, "session is closed");
    }

    private List<ProducerRecord<byte[], byte[]>> records(long seq, List<Event> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        // the write call's trace context (its span, under the client's trace), in clear beside the envelope
        Optional<byte[]> traceparent =
                TraceContext.traceparent(Context.current()).map(value -> value.getBytes(StandardCharsets.UTF_8));
        for (int index = 0; index < events.size(); index++) {
            ProducerRecord<byte[], byte[]> record =
                    cipher.seal(topic(), events.get(index), EventRecords.sbId(writerId, seq, index));
            traceparent.ifPresent(value -> EventRecords.setTraceparent(record, value));
            records.add(record);
        }
        return records;
    }

    private List<ProducerRecord<byte[], byte[]>> recordsBetween(long from, long to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        staged.subMap(from, true, to, true).values().forEach(records::addAll);
        return records;
    }

    private static SwitchboardException unexpected(Object effect) {
        return SwitchboardException.of(
                ErrorCode.INTERNAL, "unexpected effect " + effect.getClass().getSimpleName());
    }

    @Override
    public void wake() {
        // nothing blocks beyond max-wait: a waiting commit ends when its publish does
    }

    private void releaseStagedBytes(Map<Long, Long> chunks) {
        chunks.values().forEach(budget::release);
        chunks.clear();
    }

    @Override
    void release() {
        step(new WriteMachine.Dispose());
        staged.clear();
        releaseStagedBytes(stagedBytes);
        pipeline.clear();
        publisher.close();
    }
}
