package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.event;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writing and reading through a real backend node against a real Kafka broker. */
class ReadWriteIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "read-write-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final SessionLimits limits = SessionLimits.builder()
            .writeWindow(4)
            .maxEventBytes(1024)
            .maxBytesPerChunk(64 * 1024)
            .prefetchEvents(20)
            .build();
    private final MutableClock clock = new MutableClock();
    private BackendNode node;
    private Calls calls;
    private String topic;

    @BeforeEach
    void startNode() {
        node = BackendNode.start(
                BackendConfig.builder("rw", KAFKA.bootstrapServers())
                        .limits(limits)
                        .build(),
                SECRET,
                clock);
        calls = new Calls(node);
        topic = "read-write-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 3);
    }

    @AfterEach
    void closeNode() {
        node.close();
    }

    @Test
    void chunksWrittenAndCommittedAreReadBackAndAckMovesTheCursor() {
        // Given
        String writer = calls.writer(topic, "writer-a").getSessionId();
        List<String> written = new ArrayList<>();
        for (long seq = 1; seq <= 3; seq++) {
            List<Event> chunk = events("c" + seq, 10);
            chunk.forEach(event -> written.add(Calls.text(event.bufferForPayload())));
            assertThat(calls.write(writer, seq, chunk).getStagedSeq()).isEqualTo(seq);
        }

        // When
        long committed = calls.commit(writer, 3);
        AllocateResponse reader = calls.reader(topic);
        ReadResponse first = calls.read(reader.getSessionId(), 1, 7, 5000);
        AckResponse ack = calls.ack(reader.getSessionId(), 1);

        // Then
        assertThat(committed).isEqualTo(3);
        assertThat(first.getEvents()).hasSizeBetween(1, 7);
        Event event = first.getEvents().getFirst();
        assertThat(event.isSetPartition()).isTrue();
        assertThat(event.isSetOffset()).isTrue();
        assertThat(event.getTimestamp()).isPositive();
        assertThat(Calls.text(event.getHeaders().get("sb-id"))).matches("writer-a:[123]:\\d+");
        assertThat(ack.getSeq()).isEqualTo(1);
        assertThat(ack.getCursor()).isNotEqualTo(reader.getCursor());

        Calls.Drained rest =
                calls.readAll(calls.readerFrom(topic, ack.getCursor()).getSessionId(), 30 - first.getEventsSize());
        List<String> all = new ArrayList<>(Calls.payloads(first));
        all.addAll(rest.payloads());
        assertThat(all).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void aNewSessionResumingFromTheCursorLosesNothingAndDuplicatesNothing() {
        // Given 40 events, and a reader that acknowledged two batches and read a third without acknowledging it
        String writer = calls.writer(topic, "writer-b").getSessionId();
        List<Event> written = events("e", 40);
        calls.write(writer, 1, written);
        calls.commit(writer, 1);
        String first = calls.reader(topic).getSessionId();
        List<String> acknowledged = new ArrayList<>();
        String cursor = null;
        for (long seq = 1; seq <= 2; seq++) {
            acknowledged.addAll(Calls.payloads(calls.read(first, seq, 6, 5000)));
            cursor = calls.ack(first, seq).getCursor();
        }
        List<String> unacknowledged = Calls.payloads(calls.read(first, 3, 6, 5000));
        calls.dispose(first);

        // When
        String second = calls.readerFrom(topic, cursor).getSessionId();
        Calls.Drained rest = calls.readAll(second, 40 - acknowledged.size());
        ReadResponse after = calls.read(second, rest.nextSeq(), 10, 300);

        // Then
        List<String> all = new ArrayList<>(acknowledged);
        all.addAll(rest.payloads());
        assertThat(all)
                .containsExactlyInAnyOrderElementsOf(written.stream()
                        .map(e -> Calls.text(e.bufferForPayload()))
                        .toList());
        assertThat(rest.payloads()).containsAll(unacknowledged);
        assertThat(after.getEvents()).isEmpty();
    }

    @Test
    void aRepeatedReadReturnsTheSameBatch() {
        // Given
        String writer = calls.writer(topic, "writer-c").getSessionId();
        calls.write(writer, 1, events("r", 12));
        calls.commit(writer, 1);
        String reader = calls.reader(topic).getSessionId();

        // When
        ReadResponse first = calls.read(reader, 1, 5, 5000);
        ReadResponse again = calls.read(reader, 1, 5, 5000);

        // Then
        assertThat(first.getEvents()).isNotEmpty();
        assertThat(again).isEqualTo(first);
    }

    @Test
    void repeatedWritesAndCommitsLandInKafkaOnce() {
        // Given
        String writer = calls.writer(topic, "writer-d").getSessionId();

        // When: every call is sent twice, as a client retrying after a lost answer would
        calls.write(writer, 1, events("one", 3));
        assertThat(calls.write(writer, 1, events("one", 3)).getStagedSeq()).isEqualTo(1);
        calls.write(writer, 2, events("two", 2));
        assertThat(calls.commit(writer, 2)).isEqualTo(2);
        assertThat(calls.commit(writer, 2)).isEqualTo(2);
        assertThat(calls.commit(writer, 1)).isEqualTo(2);
        calls.write(writer, 3, events("three", 1));
        calls.commit(writer, 3);
        calls.commit(writer, 3);

        // Then
        List<ConsumerRecord<byte[], byte[]>> records = TopicContents.all(KAFKA.bootstrapServers(), topic);
        assertThat(records)
                .extracting(record ->
                        new String(record.headers().lastHeader("sb-id").value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder(
                        "writer-d:1:0", "writer-d:1:1", "writer-d:1:2", "writer-d:2:0", "writer-d:2:1", "writer-d:3:0");
        assertThat(records)
                .extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("one-0", "one-1", "one-2", "two-0", "two-1", "three-0");
    }

    @Test
    void outOfSequenceAnswersCarryTheExpectedSeq() {
        // Given
        String writer = calls.writer(topic, "writer-e").getSessionId();
        String reader = calls.reader(topic).getSessionId();
        calls.write(writer, 1, events("x", 1));

        // When
        SwitchResponse gap = calls.call(Calls.writeRequest(writer, 3, events("x", 1)));
        SwitchResponse earlyRead = calls.call(Calls.readRequest(reader, 2, 10, 0));
        SwitchResponse commitBeyond = calls.call(SwitchRequest.commit(new CommitRequest(writer, 5)));

        // Then
        assertThat(error(gap, ErrorCode.OUT_OF_SEQUENCE).getExpectedSeq()).isEqualTo(2);
        assertThat(error(earlyRead, ErrorCode.OUT_OF_SEQUENCE).getExpectedSeq()).isEqualTo(1);
        assertThat(error(commitBeyond, ErrorCode.OUT_OF_SEQUENCE).getExpectedSeq())
                .isEqualTo(1);
    }

    @Test
    void aFullWriteWindowAnswersBusyWithRetryAfter() {
        // Given a window of 4 chunks, all staged
        String writer = calls.writer(topic, "writer-f").getSessionId();
        for (long seq = 1; seq <= 4; seq++) {
            calls.write(writer, seq, events("w" + seq, 1));
        }

        // When
        SwitchResponse full = calls.call(Calls.writeRequest(writer, 5, events("w5", 1)));
        calls.commit(writer, 4);
        long stagedAfterCommit = calls.write(writer, 5, events("w5", 1)).getStagedSeq();

        // Then
        SwitchboardError busy = error(full, ErrorCode.BUSY);
        assertThat(busy.getRetryAfterMs()).isPositive();
        assertThat(stagedAfterCommit).isEqualTo(5);
    }

    @Test
    void oversizedPayloadsAreTooLarge() {
        // Given
        String writer = calls.writer(topic, "writer-g").getSessionId();
        Event big = new Event().setPayload(ByteBuffer.wrap(new byte[1025]));

        // When
        SwitchResponse response = calls.call(Calls.writeRequest(writer, 1, List.of(event("ok"), big)));

        // Then
        assertThat(error(response, ErrorCode.PAYLOAD_TOO_LARGE).getMessage()).contains("max-event-bytes is 1024");
        assertThat(calls.write(writer, 1, List.of(event("ok"))).getStagedSeq()).isEqualTo(1);
    }

    @Test
    void aLongPollOnAnEmptyTopicAnswersEmptyWithoutUsingTheSeq() {
        // Given
        String reader = calls.reader(topic).getSessionId();

        // When
        ReadResponse empty = calls.read(reader, 1, 10, 300);
        String writer = calls.writer(topic, "writer-h").getSessionId();
        calls.write(writer, 1, List.of(event("late")));
        calls.commit(writer, 1);
        ReadResponse filled = calls.read(reader, 1, 10, 5000);

        // Then
        assertThat(empty.getSeq()).isEqualTo(1);
        assertThat(empty.getEvents()).isEmpty();
        assertThat(filled.getSeq()).isEqualTo(1);
        assertThat(filled.getEvents())
                .extracting(e -> Calls.text(e.bufferForPayload()))
                .containsExactly("late");
    }

    @Test
    void aLongPollAnswersAsSoonAsEventsArrive() {
        // Given a reader long-polling for up to 20 s, by a clock that stands still: the poll can only end early
        String reader = calls.reader(topic).getSessionId();
        clock.freeze();
        CompletableFuture<SwitchResponse> polling = node.handle(Calls.readRequest(reader, 1, 10, 20_000));

        // When
        String writer = calls.writer(topic, "writer-i").getSessionId();
        calls.write(writer, 1, List.of(event("wake")));
        calls.commit(writer, 1);

        // Then
        ReadResponse read = Calls.await(polling).getRead();
        assertThat(read.getEvents())
                .extracting(e -> Calls.text(e.bufferForPayload()))
                .containsExactly("wake");
    }

    @Test
    void eventsKeepKeyHeadersAndTimestamp() {
        // Given
        String writer = calls.writer(topic, "writer-j").getSessionId();
        Event sent = event("body")
                .setKey("key-1".getBytes(StandardCharsets.UTF_8))
                .setHeaders(Map.of("trace", ByteBuffer.wrap("t-1".getBytes(StandardCharsets.UTF_8))))
                .setTimestamp(1_700_000_000_000L);
        calls.write(writer, 1, List.of(sent));
        calls.commit(writer, 1);

        // When
        Event received = calls.read(calls.reader(topic).getSessionId(), 1, 10, 5000)
                .getEvents()
                .getFirst();

        // Then
        assertThat(Calls.text(received.bufferForKey())).isEqualTo("key-1");
        assertThat(Calls.text(received.getHeaders().get("trace"))).isEqualTo("t-1");
        assertThat(Calls.text(received.getHeaders().get("sb-id"))).isEqualTo("writer-j:1:0");
        assertThat(received.getTimestamp()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void aWriterAllocatedAgainContinuesAfterItsLastCommittedChunk() {
        // Given
        AllocateResponse first = calls.writer(topic, "writer-k");
        calls.write(first.getSessionId(), 1, events("a", 1));
        calls.write(first.getSessionId(), 2, events("b", 1));
        calls.commit(first.getSessionId(), 2);

        // When
        AllocateResponse again = calls.writer(topic, "writer-k");
        SwitchResponse hinted = calls.call(SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.WRITE)
                .setWriterId("writer-l")
                .setLastCommittedSeq(9)));
        AllocateResponse generated = calls.allocate(new AllocateRequest(topic, SessionMode.WRITE));

        // Then
        assertThat(first.getLastCommittedSeq()).isZero();
        assertThat(again.getWriterId()).isEqualTo("writer-k");
        assertThat(again.getLastCommittedSeq()).isEqualTo(2);
        assertThat(calls.write(again.getSessionId(), 3, events("c", 1)).getStagedSeq())
                .isEqualTo(3);
        assertThat(Calls.error(hinted, ErrorCode.UNAVAILABLE).getMessage()).contains("writer state pending");
        assertThat(generated.getWriterId()).matches("[A-Za-z0-9._:-]{1,128}");
        assertThat(generated.getLimits()).isEqualTo(limits.toThrift());
    }

    @Test
    void aReaderMayStartAtTheLatestEvent() {
        // Given
        String writer = calls.writer(topic, "writer-m").getSessionId();
        calls.write(writer, 1, events("old", 3));
        calls.commit(writer, 1);

        // When
        String reader = calls.allocate(new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.LATEST))
                .getSessionId();
        calls.write(writer, 2, List.of(event("new")));
        calls.commit(writer, 2);

        // Then
        assertThat(calls.readAll(reader, 1).payloads()).containsExactly("new");
    }

    @Test
    void aReaderMayStartAtATimestamp() {
        // Given
        String writer = calls.writer(topic, "writer-n").getSessionId();
        calls.write(
                writer,
                1,
                List.of(event("old").setTimestamp(1_000), event("new").setTimestamp(5_000)));
        calls.commit(writer, 1);

        // When
        String reader = calls.allocate(new AllocateRequest(topic, SessionMode.READ)
                        .setStartFrom(StartFrom.TIMESTAMP)
                        .setStartTimestamp(3_000))
                .getSessionId();

        // Then
        Calls.Drained read = calls.readAll(reader, 1);
        assertThat(read.payloads()).containsExactly("new");
        assertThat(calls.read(reader, read.nextSeq(), 10, 300).getEvents()).isEmpty();
    }
}
