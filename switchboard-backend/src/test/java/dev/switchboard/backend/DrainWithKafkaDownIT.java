package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.internal.Spiller;
import dev.switchboard.kafka.embedded.EmbeddedKafka;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.Durability;
import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend node drains while Kafka is down (a real broker of its own, stopped and started again), so commits
 * cannot reach Kafka by the drain deadline. At-least-once chunks are spilled and answered SPILLED; the writer's
 * durable state follows once the node re-injects them, and meanwhile a writer allocating elsewhere is told to
 * wait (retriable), never refused for good. Exactly-once chunks are never spilled: their commits fail retriably
 * and the writer resends them on another node, and every event is stored once.
 */
class DrainWithKafkaDownIT {
    private static final byte[] SECRET = "kafka-down-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path kafkaDir;

    private static EmbeddedKafka kafka;
    private static boolean kafkaRunning;
    private static String bootstrap;
    private static int port;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(kafkaDir, 0);
        kafkaRunning = true;
        bootstrap = kafka.bootstrapServers();
        port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void kafkaUp() {
        startKafkaAgain(); // a failed test may have left it stopped
    }

    private static synchronized void stopKafkaNow() {
        kafka.close();
        kafkaRunning = false;
    }

    private static synchronized void startKafkaAgain() {
        if (kafkaRunning) {
            return;
        }
        try {
            kafka = EmbeddedKafka.start(kafkaDir, port); // same data, same address
            kafkaRunning = true;
        } catch (RuntimeException e) {
            throw new IllegalStateException("Kafka did not start again on port " + port, e);
        }
    }

    private BackendNode node(String id, Path dir) {
        BackendConfig.Builder config = BackendConfig.builder(id, bootstrap)
                .limits(SessionLimits.builder()
                        .maxWait(Duration.ofSeconds(1))
                        .drainTimeout(Duration.ofSeconds(2))
                        .build());
        if (dir != null) {
            config.dataDir(dir);
        }
        return BackendNode.start(config.build(), SECRET, Clock.systemUTC());
    }

    private static String topic() {
        String topic = "down-" + TOPICS.incrementAndGet();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
        return topic;
    }

    private static AllocateRequest writer(String topic, String writerId, long hint, Guarantee guarantee) {
        return new AllocateRequest(topic, SessionMode.WRITE)
                .setWriterId(writerId)
                .setPrincipal("alice")
                .setLastCommittedSeq(hint)
                .setGuarantee(guarantee);
    }

    /** Writes chunks 2 and 3 on the node, stops Kafka, commits 3, drains and closes the node; the commit's answer. */
    private static SwitchResponse commitWhileKafkaIsDown(BackendNode node, Calls calls, String session) {
        calls.write(session, 2, events("b", 2));
        calls.write(session, 3, events("c", 2));
        stopKafkaNow();
        CompletableFuture<SwitchResponse> waiting = node.handle(SwitchRequest.commit(new CommitRequest(session, 3)));
        node.drain();
        node.close(); // the drain deadline passes with the commit unacknowledged
        return Calls.await(waiting);
    }

    @Test
    void aWriterAnsweredSpilledIsToldToWaitElsewhereThenGetsItsStateAndEveryChunkOnce() throws IOException {
        // given an at-least-once writer that committed chunk 1, on a node with a spill journal
        String topic = topic();
        BackendNode spilling = node("spilling-a", dataDir);
        Calls calls = new Calls(spilling);
        String session = calls.allocate(writer(topic, "w-moves", 0, Guarantee.AT_LEAST_ONCE))
                .getSessionId();
        calls.write(session, 1, events("a", 2));
        assertThat(calls.commit(session, 1)).isEqualTo(1);

        // when chunks 2 and 3 are committed while Kafka is down and the node drains
        SwitchResponse answer = commitWhileKafkaIsDown(spilling, calls, session);

        // then the commit answers SPILLED, and the journal holds them
        assertThat(answer.isSetCommit()).as("answer %s", answer).isTrue();
        assertThat(answer.getCommit().getCommittedSeq()).isEqualTo(3);
        assertThat(answer.getCommit().getDurability()).isEqualTo(Durability.SPILLED);
        assertThat(journals()).hasSize(1);

        // and once Kafka is back, the writer allocating on another node with what it was told (3) is told to wait,
        // retriably, since Kafka holds its state only up to 1
        startKafkaAgain();
        try (BackendNode other = node("other-a", null)) {
            Calls elsewhere = new Calls(other);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                SwitchResponse pending =
                        elsewhere.call(SwitchRequest.allocate(writer(topic, "w-moves", 3, Guarantee.AT_LEAST_ONCE)));
                assertThat(Calls.error(pending, ErrorCode.UNAVAILABLE).getMessage())
                        .contains("writer state pending", "committed up to chunk 1");
            });

            // and when the spilling node starts again, it re-injects the chunks and the writer state
            node("spilling-a", dataDir).close();
            assertThat(journals()).isEmpty();

            // then the writer allocates on the other node with its hint, is told 3, and carries on
            AllocateResponse moved = elsewhere.allocate(writer(topic, "w-moves", 3, Guarantee.AT_LEAST_ONCE));
            assertThat(moved.getLastCommittedSeq()).isEqualTo(3);
            elsewhere.write(moved.getSessionId(), 4, events("d", 2));
            assertThat(elsewhere.commit(moved.getSessionId(), 4)).isEqualTo(4);
            assertThat(elsewhere
                            .allocate(writer(topic, "w-moves", 0, Guarantee.AT_LEAST_ONCE))
                            .getLastCommittedSeq())
                    .isEqualTo(4);
        }
        // and every chunk is in Kafka once
        assertThat(countsBySbId(topic))
                .hasSize(8)
                .containsKeys("w-moves:1:1", "w-moves:2:1", "w-moves:3:1", "w-moves:4:1")
                .doesNotContainValue(2L);
    }

    @Test
    void aSpilledChunkTheWriterResentElsewhereIsNotReinjectedTwice() throws IOException {
        // given a writer whose chunks 2 and 3 were spilled
        String topic = topic();
        BackendNode spilling = node("spilling-b", dataDir);
        Calls calls = new Calls(spilling);
        String session = calls.allocate(writer(topic, "w-resends", 0, Guarantee.AT_LEAST_ONCE))
                .getSessionId();
        calls.write(session, 1, events("a", 2));
        calls.commit(session, 1);
        SwitchResponse answer = commitWhileKafkaIsDown(spilling, calls, session);
        assertThat(answer.getCommit().getDurability()).isEqualTo(Durability.SPILLED);
        startKafkaAgain();

        // when the writer, which never got that answer, allocates elsewhere with what Kafka holds and resends them
        try (BackendNode other = node("other-b", null)) {
            Calls elsewhere = new Calls(other);
            AllocateResponse moved = elsewhere.allocate(writer(topic, "w-resends", 1, Guarantee.AT_LEAST_ONCE));
            assertThat(moved.getLastCommittedSeq()).isEqualTo(1);
            elsewhere.write(moved.getSessionId(), 2, events("b", 2));
            elsewhere.write(moved.getSessionId(), 3, events("c", 2));
            assertThat(elsewhere.commit(moved.getSessionId(), 3)).isEqualTo(3);

            // and the spilling node starts again
            node("spilling-b", dataDir).close();

            // then the re-injection skipped what the durable state counts committed: every event once
            assertThat(journals()).isEmpty();
            assertThat(countsBySbId(topic)).hasSize(6).doesNotContainValue(2L);
            assertThat(elsewhere
                            .allocate(writer(topic, "w-resends", 0, Guarantee.AT_LEAST_ONCE))
                            .getLastCommittedSeq())
                    .isEqualTo(3);
        }
    }

    @Test
    void anExactlyOnceWriterIsNeverSpilledItsCommitFailsRetriablyAndItsResendIsStoredOnce() throws IOException {
        // given an exactly-once writer that committed chunk 1, on a node with a spill journal
        String topic = topic();
        BackendNode draining = node("draining-c", dataDir);
        Calls calls = new Calls(draining);
        String session = calls.allocate(writer(topic, "w-exact", 0, Guarantee.EXACTLY_ONCE))
                .getSessionId();
        calls.write(session, 1, events("a", 2));
        assertThat(calls.commit(session, 1)).isEqualTo(1);

        // when chunks 2 and 3 are committed while Kafka is down and the node drains
        SwitchResponse answer = commitWhileKafkaIsDown(draining, calls, session);

        // then the commit fails with an error the client retries or allocates again on (never SPILLED), and
        // nothing is spilled
        assertThat(answer.isSetError()).as("answer %s", answer).isTrue();
        assertThat(ErrorCode.fromThrift(answer.getError().getCode()))
                .isIn(ErrorCode.UNAVAILABLE, ErrorCode.SESSION_LOST);
        assertThat(journals()).isEmpty();

        // and when the writer allocates on another node once Kafka is back, it is told 1 and resends 2 and 3
        startKafkaAgain();
        try (BackendNode other = node("other-c", null)) {
            Calls elsewhere = new Calls(other);
            AllocateResponse moved = await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> elsewhere.allocate(writer(topic, "w-exact", 1, Guarantee.EXACTLY_ONCE)), r -> true);
            assertThat(moved.getLastCommittedSeq()).isEqualTo(1);
            elsewhere.write(moved.getSessionId(), 2, events("b", 2));
            elsewhere.write(moved.getSessionId(), 3, events("c", 2));
            assertThat(elsewhere.commit(moved.getSessionId(), 3)).isEqualTo(3);
        }
        // then a read_committed reader sees every event exactly once
        Map<String, Long> counts = TopicContents.committed(bootstrap, topic).stream()
                .collect(Collectors.groupingBy(DrainWithKafkaDownIT::sbId, Collectors.counting()));
        assertThat(counts).hasSize(6).doesNotContainValue(2L);
    }

    private List<Path> journals() throws IOException {
        Path dir = Spiller.journalDir(dataDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static Map<String, Long> countsBySbId(String topic) {
        return TopicContents.all(bootstrap, topic).stream()
                .collect(Collectors.groupingBy(DrainWithKafkaDownIT::sbId, Collectors.counting()));
    }

    private static String sbId(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.headers().lastHeader("sb-id").value(), StandardCharsets.UTF_8);
    }
}
