package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.SessionLimits;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.Durability;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.switching.SwitchResponses;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The write session's publish outcomes, with Kafka's own MockProducer standing in for the broker so that
 * failures and slow acknowledgements can be produced on demand, and time moved by hand: max-wait passes when the
 * test advances the clock, never by real time. (The happy paths run against a real broker in ReadWriteIT.)
 */
class WriteSessionTest {
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final WriterStateCodec writerStates = new WriterStateCodec("__switchboard_writers", 3);
    private final WriterKey key = new WriterKey("alice", "orders", "w");
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private final HandTime time = new HandTime();

    @Test
    void aCommitHeldByADrainIsAnsweredSpilledOnceItsChunksAreInTheJournal() {
        // Given two chunks whose commit Kafka has not acknowledged, on a node that drains with a spill journal
        WriteSession session = session(Duration.ofMillis(100));
        answer(session, write(1, 2));
        answer(session, write(2, 1));
        draining.set(true);
        CompletableFuture<SwitchResponse> commit = session.submit(commit(2));
        await().until(() -> producer.history().size() == 3);

        // When the drain deadline passes: the producer closes (its sends fail), the session hands over its chunks
        for (int i = 0; i < 3; i++) {
            producer.errorNext(new NetworkException("producer closed"));
        }
        List<SpillJournal.Chunk> chunks = done(session.onQueue(session::unacknowledged));

        // Then the commit still waits (well past max-wait): it was promised an answer
        assertThat(commit).isNotDone();
        assertThat(chunks).extracting(SpillJournal.Chunk::seq).containsExactly(1L, 2L);
        assertThat(chunks.get(0).records()).hasSize(2);

        // and once they are on disk, the commit answers SPILLED for both
        done(session.onQueue(() -> {
            session.spilled(2);
            return null;
        }));
        session.spillFinished();
        SwitchResponse answer = join(commit);
        assertThat(answer.getCommit().getCommittedSeq()).isEqualTo(2);
        assertThat(answer.getCommit().getDurability()).isEqualTo(dev.switchboard.protocol.thrift.Durability.SPILLED);
        // the durable writer state is not advanced for chunks Kafka does not hold
        assertThat(stateRecords()).isEmpty();
    }

    @Test
    void aCommitKafkaAcknowledgesDuringTheDrainIsReplicatedAndNotSpilled() {
        WriteSession session = session(Duration.ofMillis(100));
        answer(session, write(1, 1));
        draining.set(true);
        CompletableFuture<SwitchResponse> commit = session.submit(commit(1));
        await().until(() -> producer.history().size() == 1);

        producer.completeNext();
        await().until(() -> producer.history().size() == 2); // the writer state record
        producer.completeNext();

        SwitchResponse answer = join(commit);
        assertThat(answer.getCommit().getDurability()).isEqualTo(dev.switchboard.protocol.thrift.Durability.REPLICATED);
        assertThat(done(session.onQueue(session::unacknowledged))).isEmpty();
    }

    @Test
    void aHeldCommitWhoseChunksCouldNotBeSpilledAnswersUnavailable() {
        WriteSession session = session(Duration.ofMillis(100));
        answer(session, write(1, 1));
        draining.set(true);
        CompletableFuture<SwitchResponse> commit = session.submit(commit(1));
        await().until(() -> producer.history().size() == 1);
        producer.errorNext(new NetworkException("producer closed"));

        session.spillFinished(); // the journal could not be written

        assertThat(join(commit).getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(stateRecords()).isEmpty();
    }

    @Test
    void aFailedPublishAnswersUnavailableAndTheNextCommitPublishesAgain() {
        // Given a staged chunk of two events
        WriteSession session = session(Duration.ofSeconds(10));
        assertThat(answer(session, write(1, 2)).isSetWrite()).isTrue();

        // When Kafka fails the first record of the commit
        CompletableFuture<SwitchResponse> failing = session.submit(commit(1));
        await().until(() -> producer.history().size() == 2);
        producer.errorNext(new NetworkException("broker gone"));
        producer.completeNext();

        // Then the commit answers UNAVAILABLE, and committing again publishes the chunk again
        SwitchResponse failed = join(failing);
        assertThat(failed.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(stateRecords()).isEmpty();

        // and only after Kafka took the chunk is the writer state record sent, and then the commit answered
        CompletableFuture<SwitchResponse> retry = session.submit(commit(1));
        await().until(() -> producer.history().size() == 4);
        producer.completeNext();
        producer.completeNext();
        await().until(() -> producer.history().size() == 5);
        assertThat(retry).isNotDone();
        producer.completeNext();
        assertThat(join(retry).getCommit().getCommittedSeq()).isEqualTo(1);
        assertThat(stateRecords()).containsExactly(1L);
    }

    @Test
    void aSlowPublishAnswersUnavailableAndARepeatedCommitWaitsForItWithoutSendingAgain() {
        // Given a commit that Kafka does not acknowledge within max-wait
        WriteSession session = session(Duration.ofMillis(200));
        answer(session, write(1, 1));
        SwitchResponse slow = timedOut(session, commit(1));

        // When the acknowledgements arrive (the chunk's, then the writer state's) and the client commits again
        producer.completeNext();
        await().until(() -> producer.history().size() == 2);
        producer.completeNext();
        SwitchResponse retried = answer(session, commit(1));

        // Then
        assertThat(slow.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(slow.getError().getMessage())
                .startsWith("the backend's commit to Kafka timed out: Kafka did not acknowledge chunks up to 1 of"
                        + " writer w within max-wait (200 ms); they may or may not be committed; retriable")
                .endsWith("allocate the writer again and its answer says the last committed chunk");
        assertThat(retried.getCommit().getCommittedSeq()).isEqualTo(1);
        assertThat(retried.getCommit().getDurability()).isEqualTo(Durability.REPLICATED);
        assertThat(producer.history()).hasSize(2);
        assertThat(stateRecords()).containsExactly(1L);
    }

    @Test
    void laterChunksArePublishedAfterTheEarlierOnesAndCommittedTogether() {
        // Given chunk 1 in flight (its commit timed out) and chunk 2 staged
        WriteSession session = session(Duration.ofMillis(200));
        answer(session, write(1, 1));
        assertThat(timedOut(session, commit(1)).getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        answer(session, write(2, 1));

        // When
        CompletableFuture<SwitchResponse> commit = session.submit(commit(2));
        await().until(() -> producer.history().size() == 2);
        await().until(() -> {
            while (producer.completeNext()) {
                // acknowledge whatever was sent, chunks and writer state records alike
            }
            return producer.history().size() == 4;
        });
        while (producer.completeNext()) {
            // the last writer state record
        }

        // Then
        assertThat(join(commit).getCommit().getCommittedSeq()).isEqualTo(2);
        assertThat(answer(session, commit(2)).getCommit().getCommittedSeq()).isEqualTo(2);
        assertThat(stateRecords()).containsExactly(1L, 2L);
        assertThat(dataRecords())
                .extracting(record -> new String(
                        record.headers().lastHeader(EventRecords.SB_ID).value(), StandardCharsets.UTF_8))
                .containsExactly("w:1:0", "w:2:0");
    }

    @Test
    void aCommitWaitingForKafkaDoesNotHoldUpLaterWrites() {
        // Given a commit whose chunk Kafka has not acknowledged yet
        WriteSession session = session(Duration.ofSeconds(10));
        answer(session, write(1, 1));
        CompletableFuture<SwitchResponse> commit = session.submit(commit(1));
        await().until(() -> producer.history().size() == 1);

        // When the writer stages its next chunk meanwhile
        SwitchResponse staged = answer(session, write(2, 1));

        // Then the write is answered at once, the commit still waits, and answers once Kafka acknowledges
        assertThat(staged.getWrite().getStagedSeq()).isEqualTo(2);
        assertThat(commit).isNotDone();
        assertThat(session.idle()).isNotDone();
        producer.completeNext();
        await().until(() -> producer.history().size() == 2);
        producer.completeNext();
        assertThat(join(commit).getCommit().getCommittedSeq()).isEqualTo(1);
        assertThat(stateRecords()).containsExactly(1L);
    }

    @Test
    void aCommitWaitEndsAtMaxWaitByTheInjectedClockAndNotBefore() {
        // Given a commit waiting for Kafka, with a max-wait of 30 s
        WriteSession session = session(Duration.ofSeconds(30));
        answer(session, write(1, 1));
        CompletableFuture<SwitchResponse> commit = session.submit(commit(1));
        await().until(() -> time.pending() == 1);

        // When the clock moves to just before the deadline, the commit still waits, for the same wake-up
        time.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(commit).isNotDone();
        assertThat(time.pending()).isEqualTo(1);

        // Then at the deadline it answers UNAVAILABLE, and its publish stays in flight
        time.advance(Duration.ofMillis(1));
        assertThat(join(commit).getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aCommitKafkaAnswersInTimeLeavesNoWakeUpBehind() {
        WriteSession session = session(Duration.ofSeconds(30));
        answer(session, write(1, 1));
        CompletableFuture<SwitchResponse> commit = session.submit(commit(1));
        await().until(() -> time.pending() == 1);

        producer.completeNext();
        await().until(() -> producer.history().size() == 2);
        producer.completeNext();

        assertThat(join(commit).getCommit().getCommittedSeq()).isEqualTo(1);
        await().until(() -> time.pending() == 0);
    }

    @Test
    void aResumedWriterWithNothingAwaitedHasNothingToSpill() {
        // Given a writer that committed up to chunk 5 before this session and has only staged chunk 6 here
        WriteSession session = session(5, SessionLimits.builder().build(), RecordCipher.PLAIN, unlimited());
        answer(session, write(6, 1));

        // Then at the drain deadline it hands over nothing: no commit was promised an answer
        assertThat(done(session.onQueue(session::unacknowledged))).isEmpty();
    }

    /**
     * Submits a commit Kafka does not answer, waits until it waits for its max-wait wake-up, then moves the clock
     * past max-wait; its answer.
     */
    private SwitchResponse timedOut(WriteSession session, SwitchRequest commit) {
        CompletableFuture<SwitchResponse> answer = session.submit(commit);
        await().until(() -> time.pending() == 1);
        time.advance(Duration.ofMinutes(1));
        return join(answer);
    }

    /** The seqs of the writer state records sent, in order; each is keyed by the session's writer key. */
    private List<Long> stateRecords() {
        return producer.history().stream()
                .filter(record -> record.topic().equals(writerStates.topic()))
                .peek(record -> assertThat(WriterKey.fromBytes(record.key())).contains(key))
                .peek(record -> assertThat(record.partition()).isEqualTo(writerStates.partition(key)))
                .map(record -> WriterStateCodec.seq(record.value()).orElseThrow())
                .toList();
    }

    private List<ProducerRecord<byte[], byte[]>> dataRecords() {
        return producer.history().stream()
                .filter(record -> !record.topic().equals(writerStates.topic()))
                .toList();
    }

    @Test
    void onlyChunksTheMachineStagesAreSealed() {
        // Given a session with a window of two chunks and a cipher that counts what it seals
        AtomicInteger sealed = new AtomicInteger();
        RecordCipher counting = new RecordCipher() {
            @Override
            public ProducerRecord<byte[], byte[]> seal(ProducerRecord<byte[], byte[]> record) {
                sealed.incrementAndGet();
                return record;
            }

            @Override
            public Opened open(ConsumerRecord<byte[], byte[]> record) {
                return RecordCipher.clear(record);
            }
        };
        WriteSession session = session(SessionLimits.builder().writeWindow(2).build(), counting);
        answer(session, write(1, 3));
        answer(session, write(2, 3));
        assertThat(sealed).hasValue(6);

        // When a third chunk meets the full window (BUSY), and the first is repeated
        SwitchResponse busy = answer(session, write(3, 3));
        SwitchResponse repeated = answer(session, write(1, 3));

        // Then neither was sealed again
        assertThat(busy.getError().getCode()).isEqualTo(ErrorCode.BUSY);
        assertThat(repeated.isSetWrite()).isTrue();
        assertThat(sealed).hasValue(6);
    }

    private WriteSession session(Duration maxWait) {
        return session(SessionLimits.builder().maxWait(maxWait).build(), RecordCipher.PLAIN);
    }

    @Test
    void uncommittedBytesOverTheNodesBudgetAreRefusedBusyUntilACommitFreesThem() {
        // Given a node budget that holds one chunk of three events, not two
        BackendCounters counters = new BackendCounters();
        long chunkBytes = 3 * EventRecords.sizeOf(new Event().setPayload(ByteBuffer.wrap(new byte[] {0})));
        WriteSession session = session(
                SessionLimits.builder().maxWait(Duration.ofSeconds(10)).build(),
                RecordCipher.PLAIN,
                new StagedBytes(chunkBytes + chunkBytes / 2, Long.MAX_VALUE, counters));
        assertThat(answer(session, write(1, 3)).isSetWrite()).isTrue();
        assertThat(counters.stagedBytes()).isEqualTo(chunkBytes);

        // When a second chunk would go over it, then it is BUSY with a retry-after
        SwitchResponse refused = answer(session, write(2, 3));
        assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.BUSY);
        assertThat(refused.getError().getRetryAfterMs()).isPositive();
        assertThat(counters.writesRefusedStagedBytes()).isEqualTo(1);

        // And once the first is committed, the bytes are back and the second is staged
        CompletableFuture<SwitchResponse> commit = session.submit(commit(1));
        await().until(() -> producer.history().size() == 3);
        producer.completeNext();
        producer.completeNext();
        producer.completeNext();
        await().until(() -> producer.history().size() == 4); // the writer state record
        producer.completeNext();
        assertThat(join(commit).getCommit().getCommittedSeq()).isEqualTo(1);
        assertThat(answer(session, write(2, 3)).isSetWrite()).isTrue();
        assertThat(counters.stagedBytes()).isEqualTo(chunkBytes);
        session.release();
        assertThat(counters.stagedBytes()).isZero();
    }

    @Test
    void onePrincipalPastItsShareOfStagedBytesIsBusyWhileAnotherPrincipalStillStages() {
        // Given a node budget of four chunks and a per-principal share of one and a half
        BackendCounters counters = new BackendCounters();
        long chunkBytes = 3 * EventRecords.sizeOf(new Event().setPayload(ByteBuffer.wrap(new byte[] {0})));
        StagedBytes budget = new StagedBytes(4 * chunkBytes, chunkBytes + chunkBytes / 2, counters);
        SessionLimits limits =
                SessionLimits.builder().maxWait(Duration.ofSeconds(10)).build();
        WriteSession mallory = session(0, limits, RecordCipher.PLAIN, budget.account(Optional.of("mallory")));
        WriteSession alice = session(0, limits, RecordCipher.PLAIN, budget.account(Optional.of("alice")));
        assertThat(answer(mallory, write(1, 3)).isSetWrite()).isTrue();

        // When mallory stages a second chunk, past her share though the node has room for it
        SwitchResponse refused = answer(mallory, write(2, 3));

        // Then she is BUSY, told whose share and which key, with a retry-after
        assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.BUSY);
        assertThat(refused.getError().getRetryAfterMs()).isPositive();
        assertThat(refused.getError().getMessage())
                .contains("principal 'mallory'")
                .contains("max-staged-bytes-per-principal");
        assertThat(counters.writesRefusedPrincipalStagedBytes()).isEqualTo(1);
        assertThat(counters.writesRefusedStagedBytes()).isZero();

        // And alice, another principal on the same node, still stages
        assertThat(answer(alice, write(1, 3)).isSetWrite()).isTrue();
        assertThat(counters.stagedBytes()).isEqualTo(2 * chunkBytes);
        assertThat(budget.heldBy("mallory")).isEqualTo(chunkBytes);

        // And a session's release gives its principal's share back
        mallory.release();
        alice.release();
        assertThat(budget.heldBy("mallory")).isZero();
        assertThat(counters.stagedBytes()).isZero();
    }

    private WriteSession session(SessionLimits limits, RecordCipher cipher) {
        return session(limits, cipher, unlimited());
    }

    private static StagedBytes unlimited() {
        return new StagedBytes(Long.MAX_VALUE, Long.MAX_VALUE, new BackendCounters());
    }

    private WriteSession session(SessionLimits limits, RecordCipher cipher, StagedBytes budget) {
        return session(0, limits, cipher, budget);
    }

    private WriteSession session(long lastCommitted, SessionLimits limits, RecordCipher cipher, StagedBytes budget) {
        return session(lastCommitted, limits, cipher, budget.account(Optional.empty()));
    }

    private WriteSession session(
            long lastCommitted, SessionLimits limits, RecordCipher cipher, StagedBytes.Account budget) {
        return new WriteSession(
                SessionId.create("s0", "n1"),
                key,
                lastCommitted,
                limits,
                new ChunkPublisher.AtLeastOnce(
                        new NodeProducer(producer), task -> Thread.ofVirtual().start(task)),
                writerStates,
                task -> Thread.ofVirtual().start(task),
                time,
                time,
                cipher,
                draining::get,
                budget);
    }

    private static SwitchRequest write(long seq, int events) {
        List<Event> chunk = IntStream.range(0, events)
                .mapToObj(i -> new Event().setPayload(ByteBuffer.wrap(new byte[] {(byte) i})))
                .toList();
        return SwitchRequest.write(new WriteRequest("ignored", seq, chunk));
    }

    private static SwitchRequest commit(long seq) {
        return SwitchRequest.commit(new CommitRequest("ignored", seq));
    }

    private static SwitchResponse answer(WriteSession session, SwitchRequest request) {
        return join(session.submit(request));
    }

    private static SwitchResponse join(CompletableFuture<SwitchResponse> answer) {
        try {
            return answer.exceptionally(failure -> SwitchResponses.error(ProtocolErrors.toProtocol(failure, "test")))
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer", e);
        }
    }

    private static <T> T done(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("not done", e);
        }
    }
}
