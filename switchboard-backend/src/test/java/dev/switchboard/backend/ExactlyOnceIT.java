package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once writers on two backend nodes over one real Kafka: chunks and writer state commit in one
 * transaction, allocating the writer on another node fences the old session's producer, and the node bounds its
 * transactional producers.
 */
class ExactlyOnceIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "exactly-once-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private BackendNode first;
    private BackendNode second;
    private Calls onFirst;
    private Calls onSecond;
    private String topic;

    @BeforeEach
    void startNodes() {
        first = BackendNode.start(
                BackendConfig.builder("one", KAFKA.bootstrapServers())
                        .maxTransactionalProducers(2)
                        .build(),
                SECRET,
                Clock.systemUTC());
        second = BackendNode.start(
                BackendConfig.builder("two", KAFKA.bootstrapServers()).build(), SECRET, Clock.systemUTC());
        onFirst = new Calls(first);
        onSecond = new Calls(second);
        topic = "exactly-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 2);
    }

    @AfterEach
    void closeNodes() {
        first.close();
        second.close();
    }

    private AllocateRequest exactlyOnce(String writerId) {
        return new AllocateRequest(topic, SessionMode.WRITE)
                .setWriterId(writerId)
                .setPrincipal("alice")
                .setGuarantee(Guarantee.EXACTLY_ONCE);
    }

    /** How often each sb-id is in the topic, as a read_committed consumer sees it. */
    private Map<String, Long> committedIds() {
        return TopicContents.committed(KAFKA.bootstrapServers(), topic).stream()
                .map(ExactlyOnceIT::sbId)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String sbId(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.headers().lastHeader("sb-id").value(), StandardCharsets.UTF_8);
    }

    @Test
    void aWriterMovedToAnotherNodeFencesTheOldSessionAndEveryEventIsInKafkaOnce() {
        // given an exactly-once writer that committed chunks 1..2 on the first node and staged chunk 3 there
        AllocateResponse old = onFirst.allocate(exactlyOnce("eo"));
        onFirst.write(old.getSessionId(), 1, events("a", 2));
        onFirst.write(old.getSessionId(), 2, events("b", 2));
        onFirst.commit(old.getSessionId(), 2);
        onFirst.write(old.getSessionId(), 3, events("old-c", 2));

        // when the writer is allocated on the second node, writes its chunk 3 there and commits
        AllocateResponse moved = onSecond.allocate(exactlyOnce("eo"));
        onSecond.write(moved.getSessionId(), 3, events("c", 2));
        onSecond.commit(moved.getSessionId(), 3);

        // then the second node continued after chunk 2, the old session can no longer commit (its producer is
        // fenced), and every event is in Kafka exactly once, chunk 3 as the second node wrote it
        assertThat(old.getLastCommittedSeq()).isZero();
        assertThat(moved.getLastCommittedSeq()).isEqualTo(2);
        error(onFirst.call(SwitchRequest.commit(new CommitRequest(old.getSessionId(), 3))), ErrorCode.SESSION_LOST);
        assertThat(committedIds())
                .containsOnlyKeys("eo:1:0", "eo:1:1", "eo:2:0", "eo:2:1", "eo:3:0", "eo:3:1")
                .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        List<String> payloads = TopicContents.committed(KAFKA.bootstrapServers(), topic).stream()
                .filter(record -> sbId(record).startsWith("eo:3:"))
                .map(record -> new String(record.value(), StandardCharsets.UTF_8))
                .toList();
        assertThat(payloads).allSatisfy(payload -> assertThat(payload).startsWith("c"));
        assertThat(onFirst.allocate(exactlyOnce("eo")).getLastCommittedSeq()).isEqualTo(3);
    }

    @Test
    void theNodeBoundsItsExactlyOnceWritersAndFreesASlotWhenASessionEnds() {
        // given the first node's two transactional producers in use
        AllocateResponse one = onFirst.allocate(exactlyOnce("w1"));
        onFirst.allocate(exactlyOnce("w2"));

        // then a third exactly-once writer is BUSY, while an at-least-once writer is still welcome
        error(onFirst.call(SwitchRequest.allocate(exactlyOnce("w3"))), ErrorCode.BUSY);
        onFirst.allocate(new AllocateRequest(topic, SessionMode.WRITE).setWriterId("plain"));

        // and once a session is disposed, its slot is free again
        onFirst.dispose(one.getSessionId());
        assertThat(onFirst.allocate(exactlyOnce("w3")).getLastCommittedSeq()).isZero();
    }
}
