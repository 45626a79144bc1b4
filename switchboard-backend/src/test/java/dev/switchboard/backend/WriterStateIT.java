package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.internal.WriterStates;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The durable writer state ({@value WriterStates#TOPIC}) across two backend nodes on one real Kafka: whatever
 * node a writer allocates on, it is told its true last committed chunk; writers are told apart by principal,
 * topic and writer id; a client's hint is never trusted above the state.
 */
class WriterStateIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "writer-state-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private BackendNode first;
    private BackendNode second;
    private Calls onFirst;
    private Calls onSecond;
    private String topic;

    @BeforeEach
    void startNodes() {
        first = BackendNode.start(
                BackendConfig.builder("one", KAFKA.bootstrapServers()).build(), SECRET, Clock.systemUTC());
        second = BackendNode.start(
                BackendConfig.builder("two", KAFKA.bootstrapServers()).build(), SECRET, Clock.systemUTC());
        onFirst = new Calls(first);
        onSecond = new Calls(second);
        topic = "writers-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 2);
        KAFKA.createTopic(topic + "-other", 2);
    }

    @AfterEach
    void closeNodes() {
        first.close();
        second.close();
    }

    private static AllocateRequest writer(String topic, String principal, String writerId) {
        return new AllocateRequest(topic, SessionMode.WRITE)
                .setWriterId(writerId)
                .setPrincipal(principal);
    }

    private static void commitChunks(Calls calls, String session, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            calls.write(session, seq, events("e" + seq + "-", 2));
        }
        calls.commit(session, to);
    }

    @Test
    void aWriterAllocatedOnAnotherNodeIsToldItsTrueLastCommittedChunk() {
        // given a writer that committed chunks 1..3 on the first node
        AllocateResponse before = onFirst.allocate(writer(topic, "alice", "w"));
        commitChunks(onFirst, before.getSessionId(), 1, 3);

        // when it allocates on the second node, with no hint and with a lower one
        AllocateResponse elsewhere = onSecond.allocate(writer(topic, "alice", "w"));
        AllocateResponse hintedLower =
                onSecond.allocate(writer(topic, "alice", "w").setLastCommittedSeq(1));

        // then both sessions continue after chunk 3
        assertThat(before.getLastCommittedSeq()).isZero();
        assertThat(elsewhere.getLastCommittedSeq()).isEqualTo(3);
        assertThat(hintedLower.getLastCommittedSeq()).isEqualTo(3);
        assertThat(onSecond.write(elsewhere.getSessionId(), 4, events("next", 1))
                        .getStagedSeq())
                .isEqualTo(4);

        // and a commit on the second node is what the first node answers next
        commitChunks(onSecond, elsewhere.getSessionId(), 4, 5);
        assertThat(onFirst.allocate(writer(topic, "alice", "w")).getLastCommittedSeq())
                .isEqualTo(5);
    }

    @Test
    void theSameWriterIdUnderAnotherPrincipalOrOnAnotherTopicIsAnotherWriter() {
        // given alice's writer "w" committed chunks 1..4 on the topic
        AllocateResponse alice = onFirst.allocate(writer(topic, "alice", "w"));
        commitChunks(onFirst, alice.getSessionId(), 1, 4);

        // when writer "w" allocates as mallory, and as alice on another topic
        AllocateResponse mallory = onSecond.allocate(writer(topic, "mallory", "w"));
        AllocateResponse otherTopic = onSecond.allocate(writer(topic + "-other", "alice", "w"));
        commitChunks(onSecond, mallory.getSessionId(), 1, 1);

        // then each starts from nothing, and neither moves alice's writer
        assertThat(mallory.getLastCommittedSeq()).isZero();
        assertThat(otherTopic.getLastCommittedSeq()).isZero();
        assertThat(onSecond.allocate(writer(topic, "alice", "w")).getLastCommittedSeq())
                .isEqualTo(4);
        assertThat(onFirst.allocate(writer(topic, "mallory", "w")).getLastCommittedSeq())
                .isEqualTo(1);
    }

    @Test
    void aHintAboveTheDurableStateIsRefusedAndChangesNothing() {
        // given a writer that committed chunks 1..2
        AllocateResponse victim = onFirst.allocate(writer(topic, "alice", "w"));
        commitChunks(onFirst, victim.getSessionId(), 1, 2);

        // when someone allocates that writer with a larger hint, and with the largest long
        SwitchResponse poisoned =
                onSecond.call(SwitchRequest.allocate(writer(topic, "alice", "w").setLastCommittedSeq(1_000)));
        SwitchResponse overflowing =
                onSecond.call(SwitchRequest.allocate(writer(topic, "alice", "w").setLastCommittedSeq(Long.MAX_VALUE)));

        // then both are refused (the larger hint as a state still pending, retriable: see DrainAndSpillIT), and
        // the writer's state is untouched
        assertThat(error(poisoned, ErrorCode.UNAVAILABLE).getMessage())
                .contains("writer state pending", "committed up to chunk 2");
        error(overflowing, ErrorCode.INVALID_REQUEST);
        assertThat(onFirst.allocate(writer(topic, "alice", "w")).getLastCommittedSeq())
                .isEqualTo(2);
    }

    @Test
    void aRestartedNodeReadsTheStateBackFromKafka() {
        // given a writer that committed on the first node, which then stops
        AllocateResponse before = onFirst.allocate(writer(topic, "bob", "w"));
        commitChunks(onFirst, before.getSessionId(), 1, 7);
        first.close();

        // when a node starts afresh
        first = BackendNode.start(
                BackendConfig.builder("one", KAFKA.bootstrapServers()).build(), SECRET, Clock.systemUTC());
        onFirst = new Calls(first);

        // then it knows the writer's last committed chunk
        assertThat(onFirst.allocate(writer(topic, "bob", "w")).getLastCommittedSeq())
                .isEqualTo(7);
    }
}
