package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Durability;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ack riding on a read ({@code ReadRequest.ackSeq}) and the commit riding on a write ({@code
 * WriteRequest.commit}) through a real backend node on a real Kafka broker: each is the two calls in one, retries
 * stay idempotent, a refused ride changes nothing, and sessions mixing them with the separate calls (what an older
 * client sends) work as before.
 */
class RoundTripsIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "round-trips-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final SessionLimits limits =
            SessionLimits.builder().writeWindow(4).prefetchEvents(20).build();
    private BackendNode node;
    private Calls calls;
    private String topic;

    @BeforeEach
    void startNode() {
        node = BackendNode.start(
                BackendConfig.builder("rt", KAFKA.bootstrapServers())
                        .limits(limits)
                        .build(),
                SECRET,
                new MutableClock());
        calls = new Calls(node);
        topic = "round-trips-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1);
    }

    @AfterEach
    void closeNode() {
        node.close();
    }

    private SwitchResponse readWithAck(String session, long seq, long ackSeq, int maxWaitMs) {
        return calls.call(SwitchRequest.read(new ReadRequest(session, seq)
                .setMaxEvents(5)
                .setMaxWaitMs(maxWaitMs)
                .setAckSeq(ackSeq)));
    }

    private SwitchResponse writeWithCommit(String session, long seq, List<Event> events) {
        return calls.call(SwitchRequest.write(new WriteRequest(session, seq, events).setCommit(true)));
    }

    private static List<String> payloads(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(record -> new String(record.value(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void anAckRidingOnAReadAcknowledgesThenReadsAndARetryGetsTheSameAnswer() {
        // given 12 events (one partition) and a reader that read batch 1
        String writer = calls.writer(topic, "w-read").getSessionId();
        calls.write(writer, 1, events("e", 12));
        calls.commit(writer, 1);
        String reader = calls.reader(topic).getSessionId();
        List<String> first = Calls.payloads(calls.read(reader, 1, 5, 5000));

        // when it reads batch 2 with the ack of batch 1 riding on it, and sends that read again (a lost answer)
        SwitchResponse second = readWithAck(reader, 2, 1, 5000);
        SwitchResponse again = readWithAck(reader, 2, 1, 5000);

        // then the answer holds batch 2, the events right after batch 1, and the ack's cursor; the retry got the same
        assertThat(second.isSetRead()).as("%s", second).isTrue();
        List<String> next = Calls.payloads(second.getRead());
        assertThat(first).isNotEmpty().isEqualTo(inOrder(0, first.size()));
        assertThat(next).isNotEmpty().isEqualTo(inOrder(first.size(), next.size()));
        assertThat(second.getRead().getAck().getSeq()).isEqualTo(1);
        assertThat(again).isEqualTo(second);

        // and the cursor is after batch 1: a reader resuming from it starts at batch 2's first event
        String resumed =
                calls.readerFrom(topic, second.getRead().getAck().getCursor()).getSessionId();
        assertThat(Calls.payloads(calls.read(resumed, 1, 1, 5000))).containsExactly(next.getFirst());
    }

    /** The payloads e-from, e-(from+1), ... of {@code count} events: the order they were written in. */
    private static List<String> inOrder(int from, int count) {
        List<String> payloads = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            payloads.add("e-" + i);
        }
        return payloads;
    }

    @Test
    void aRefusedRideAcknowledgesNothingAndSeparateCallsStillWork() {
        // given a reader holding batch 1
        String writer = calls.writer(topic, "w-refused").getSessionId();
        calls.write(writer, 1, events("e", 12));
        calls.commit(writer, 1);
        String reader = calls.reader(topic).getSessionId();
        List<String> first = Calls.payloads(calls.read(reader, 1, 5, 5000));

        // when a read with a gap carries the ack of batch 1, and so does a read carrying an ack beyond it
        SwitchResponse gap = readWithAck(reader, 3, 1, 0);
        SwitchResponse beyond = readWithAck(reader, 3, 2, 0);

        // then both are refused with the seq expected (after the ack, and of the ack), and nothing moved:
        // batch 1 is still delivered, so a plain ack of batch 0 answers batch 0 and the same batch 1 comes again
        assertThat(error(gap, ErrorCode.OUT_OF_SEQUENCE).getExpectedSeq()).isEqualTo(2);
        assertThat(error(beyond, ErrorCode.OUT_OF_SEQUENCE).getExpectedSeq()).isEqualTo(1);
        assertThat(calls.ack(reader, 0).getSeq()).isZero();
        assertThat(Calls.payloads(calls.read(reader, 1, 5, 0))).isEqualTo(first);

        // and the separate calls an older client sends work as before, mixed with rides, batch after batch
        List<String> all = new ArrayList<>(first);
        long seq = 1;
        while (all.size() < 12) {
            ReadResponse batch;
            if (seq % 2 == 1) {
                calls.ack(reader, seq);
                batch = calls.read(reader, seq + 1, 5, 5000);
            } else {
                batch = readWithAck(reader, seq + 1, seq, 5000).getRead();
                assertThat(batch.getAck().getSeq()).isEqualTo(seq);
            }
            assertThat(batch.getEvents()).isNotEmpty();
            all.addAll(Calls.payloads(batch));
            seq++;
        }
        assertThat(all).isEqualTo(inOrder(0, 12));

        // and a ride on a long poll that times out still acknowledged: the empty answer carries the ack
        SwitchResponse empty = readWithAck(reader, seq + 1, seq, 200);
        assertThat(empty.getRead().getEvents()).isEmpty();
        assertThat(empty.getRead().getAck().getSeq()).isEqualTo(seq);
        assertThat(calls.ack(reader, seq).getCursor())
                .isEqualTo(empty.getRead().getAck().getCursor());
    }

    @Test
    void aCommitRidingOnAWriteAnswersTheCommitAndRetriesLandOnce() {
        // given a writer
        String writer = calls.writer(topic, "w-commit").getSessionId();

        // when it writes chunk 1 with its commit, sends that write again, writes chunk 2 alone and chunk 3 with
        // the commit, and then commits chunk 3 separately, as an older client would
        SwitchResponse first = writeWithCommit(writer, 1, events("one", 3));
        SwitchResponse retried = writeWithCommit(writer, 1, events("one", 3));
        WriteResponse plain = calls.write(writer, 2, events("two", 2));
        SwitchResponse third = writeWithCommit(writer, 3, events("three", 1));
        long separate = calls.commit(writer, 3);

        // then each riding commit answered what a commit call would, and every event is in Kafka once, in order
        assertThat(first.getWrite().getStagedSeq()).isEqualTo(1);
        assertThat(first.getWrite().getCommit().getCommittedSeq()).isEqualTo(1);
        assertThat(first.getWrite().getCommit().getDurability()).isEqualTo(Durability.REPLICATED);
        assertThat(retried).isEqualTo(first);
        assertThat(plain.isSetCommit()).isFalse();
        assertThat(third.getWrite().getCommit().getCommittedSeq()).isEqualTo(3);
        assertThat(separate).isEqualTo(3);
        assertThat(payloads(TopicContents.all(KAFKA.bootstrapServers(), topic)))
                .containsExactly("one-0", "one-1", "one-2", "two-0", "two-1", "three-0");
    }

    @Test
    void aWriteWithItsCommitIsRefusedWholeWhenTheWindowIsFull() {
        // given a writer whose window of 4 chunks is full
        String writer = calls.writer(topic, "w-window").getSessionId();
        for (long seq = 1; seq <= 4; seq++) {
            calls.write(writer, seq, events("c" + seq, 1));
        }

        // when chunk 5 comes with its commit, then it is BUSY and nothing was committed
        SwitchResponse busy = writeWithCommit(writer, 5, events("c5", 1));
        assertThat(error(busy, ErrorCode.BUSY).getRetryAfterMs()).isPositive();
        assertThat(TopicContents.all(KAFKA.bootstrapServers(), topic)).isEmpty();

        // and chunk 4 sent again with the commit commits the window, after which chunk 5 goes through
        assertThat(writeWithCommit(writer, 4, events("c4", 1))
                        .getWrite()
                        .getCommit()
                        .getCommittedSeq())
                .isEqualTo(4);
        assertThat(writeWithCommit(writer, 5, events("c5", 1))
                        .getWrite()
                        .getCommit()
                        .getCommittedSeq())
                .isEqualTo(5);
        assertThat(payloads(TopicContents.all(KAFKA.bootstrapServers(), topic)))
                .containsExactly("c1-0", "c2-0", "c3-0", "c4-0", "c5-0");
    }

    @Test
    void anExactlyOnceWriterCommitsEachChunkOnItsWriteInOneTransaction() {
        // given an exactly-once writer
        String writer = calls.allocate(new AllocateRequest(topic, SessionMode.WRITE)
                        .setWriterId("w-eos")
                        .setGuarantee(Guarantee.EXACTLY_ONCE))
                .getSessionId();

        // when it writes three chunks, each with its commit, the second one twice
        List<Long> committed = new ArrayList<>();
        for (long seq = 1; seq <= 3; seq++) {
            committed.add(writeWithCommit(writer, seq, events("x" + seq, 2))
                    .getWrite()
                    .getCommit()
                    .getCommittedSeq());
            if (seq == 2) {
                committed.add(writeWithCommit(writer, 2, events("x2", 2))
                        .getWrite()
                        .getCommit()
                        .getCommittedSeq());
            }
        }

        // then every commit answered, and a read_committed consumer sees each event once
        assertThat(committed).containsExactly(1L, 2L, 2L, 3L);
        assertThat(payloads(TopicContents.committed(KAFKA.bootstrapServers(), topic)))
                .containsExactly("x1-0", "x1-1", "x2-0", "x2-1", "x3-0", "x3-1");
        // and a new session of the writer continues after chunk 3
        assertThat(calls.allocate(new AllocateRequest(topic, SessionMode.WRITE)
                                .setWriterId("w-eos")
                                .setGuarantee(Guarantee.EXACTLY_ONCE))
                        .getLastCommittedSeq())
                .isEqualTo(3);
    }
}
