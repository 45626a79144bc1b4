package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.internal.Spiller;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.Durability;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drain and spill on a real backend node and a real Kafka broker: in-flight commits get their true answer (never
 * SESSION_LOST while their chunks land anyway), and what Kafka has not acknowledged by the drain deadline is
 * spilled, answered SPILLED, and re-injected once when the node starts again, before it takes sessions.
 */
class DrainAndSpillIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "drain-it-cluster-secret-bytes".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock();
    private final WakeUps wakeUps = new WakeUps();

    private BackendNode node(String id, String lingerMs) {
        return BackendNode.start(
                BackendConfig.builder(id, KAFKA.bootstrapServers())
                        .limits(SessionLimits.builder()
                                .maxWait(Duration.ofSeconds(1))
                                .drainTimeout(Duration.ofSeconds(2))
                                .build())
                        .kafka("linger.ms", lingerMs)
                        .kafka("delivery.timeout.ms", Long.toString(Long.parseLong(lingerMs) + 120_000))
                        .dataDir(dataDir)
                        .build(),
                SECRET,
                clock,
                wakeUps);
    }

    private static String topic() {
        String topic = "drain-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1);
        return topic;
    }

    @Test
    void aCommitInFlightWhenTheDrainStartsGetsItsTrueAnswerAndTheWriterCommitsWhatItStaged() throws Exception {
        // given a writer whose commit Kafka acknowledges only after a while (the producer lingers 1.5 s)
        String topic = topic();
        BackendNode node = node("drain-a", "1500");
        Calls calls = new Calls(node);
        String writer = calls.writer(topic, "w-drain").getSessionId();
        calls.write(writer, 1, events("a", 3));
        CompletableFuture<SwitchResponse> inFlight = node.handle(SwitchRequest.commit(new CommitRequest(writer, 1)));
        calls.write(writer, 2, events("b", 2));

        // when the node drains
        node.drain();

        // then new writes are refused, the in-flight commit is answered by Kafka, and staged chunks still commit
        assertThat(node.drainState()).isEqualTo(DrainState.DRAINING);
        error(calls.call(Calls.writeRequest(writer, 3, events("c", 1))), ErrorCode.DRAINING);
        SwitchResponse answer = Calls.await(inFlight);
        assertThat(answer.getCommit().getCommittedSeq()).isEqualTo(1);
        assertThat(answer.getCommit().getDurability()).isEqualTo(Durability.REPLICATED);
        assertThat(calls.commit(writer, 2)).isEqualTo(2);
        node.close();
        assertThat(node.drainState()).isEqualTo(DrainState.CLOSED);
        assertThat(payloads(topic, 5)).containsExactly("a-0", "a-1", "a-2", "b-0", "b-1");
        assertThat(journals()).isEmpty();
    }

    @Test
    void whatKafkaHasNotAcknowledgedByTheDeadlineIsSpilledAnsweredSpilledAndReinjectedOnce() throws Exception {
        // given a node whose producer holds records back (linger 10 min), with a commit waiting for Kafka
        String topic = topic();
        BackendNode node = node("drain-b", "600000");
        Calls calls = new Calls(node);
        String writer = calls.writer(topic, "w-spill").getSessionId();
        calls.write(writer, 1, events("s", 2));
        calls.write(writer, 2, events("t", 2));
        calls.write(writer, 3, events("never-committed", 1));
        CompletableFuture<SwitchResponse> waiting = node.handle(SwitchRequest.commit(new CommitRequest(writer, 2)));
        await().until(() -> wakeUps.pending() == 1); // the commit waits for Kafka, until its max-wait

        // when the node drains: at max-wait (1 s; the clock moves past it and the commit's wake-up comes now) the
        // commit does not give up but waits on, for Kafka or the drain deadline
        node.drain();
        clock.advance(Duration.ofSeconds(2));
        wakeUps.bringForward();
        // and closes: the drain deadline passes with the commit unacknowledged
        node.close();

        // then the commit answers SPILLED, the journal holds chunks 1 and 2 (not the uncommitted 3), Kafka nothing
        SwitchResponse answer = Calls.await(waiting);
        assertThat(answer.isSetCommit()).as("answer %s", answer).isTrue();
        assertThat(answer.getCommit().getCommittedSeq()).isEqualTo(2);
        assertThat(answer.getCommit().getDurability()).isEqualTo(Durability.SPILLED);
        assertThat(journals()).hasSize(1);
        assertThat(payloads(topic, 0)).isEmpty();

        // and when a node starts on that data dir, it publishes them, once, before it serves, and drops the journal
        BackendNode restarted = node("drain-b", "5");
        try {
            assertThat(journals()).isEmpty();
            assertThat(payloads(topic, 4)).containsExactly("s-0", "s-1", "t-0", "t-1");
            assertThat(restarted.drainState()).isEqualTo(DrainState.SERVING);
            // the first allocation the restarted node can take already finds the re-injected chunks committed: no
            // live commit of the writer on this node can race its re-injection
            assertThat(new Calls(restarted).writer(topic, "w-spill").getLastCommittedSeq())
                    .isEqualTo(2);
        } finally {
            restarted.close();
        }
        try (BackendNode again = node("drain-b", "5")) {
            assertThat(payloads(topic, 4)).hasSize(4);
        }
    }

    private List<Path> journals() throws Exception {
        Path dir = Spiller.journalDir(dataDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** Every payload in the topic's partition 0, reading until {@code expected} arrived (or 3 s for none). */
    private static List<String> payloads(String topic, int expected) {
        Map<String, Object> config = Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> payloads = new ArrayList<>();
            long end = System.nanoTime()
                    + Duration.ofSeconds(expected == 0 ? 3 : 20).toNanos();
            while (System.nanoTime() < end && (expected == 0 || payloads.size() < expected)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    payloads.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
            if (expected > 0) {
                // anything more (a duplicate) would arrive right behind
                consumer.poll(Duration.ofMillis(500))
                        .forEach(record -> payloads.add(new String(record.value(), StandardCharsets.UTF_8)));
            }
            return payloads;
        }
    }
}
