package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.RejectedRecords.Reason;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-closed reads against a real Kafka broker: with encryption on, a record without a valid envelope (written
 * around Switchboard, or altered) is never delivered; it is skipped, counted, and copied to the dead-letter topic,
 * and everything valid around it is delivered exactly once, on a session's own consumer and from the shared tail
 * reader alike.
 */
class FailClosedReadsIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "fail-closed-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    private final List<BackendNode> nodes = new ArrayList<>();
    private String topic;

    @BeforeEach
    void createTopic() {
        topic = "fail-closed-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1);
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(BackendNode::close);
    }

    private BackendNode start(String nodeId, EncryptionConfig encryption) {
        BackendNode node = BackendNode.start(
                BackendConfig.builder(nodeId, KAFKA.bootstrapServers())
                        .encryption(encryption)
                        .build(),
                SECRET,
                Clock.systemUTC());
        nodes.add(node);
        return node;
    }

    private EncryptionConfig encryption() {
        return EncryptionConfig.local(dir.resolve("kek.p12"), "keystore-password");
    }

    private void write(Calls calls, String writerId, String... payloads) {
        String writer = calls.writer(topic, writerId).getSessionId();
        List<Event> events = new ArrayList<>();
        for (String payload : payloads) {
            events.add(event(payload));
        }
        calls.write(writer, 1, events);
        assertThat(calls.commit(writer, 1)).isEqualTo(1);
        calls.dispose(writer);
    }

    private void produceRaw(ProducerRecord<byte[], byte[]> record) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
    }

    /** A record produced with a plain Kafka producer, as an attacker with Kafka access would. */
    private void forge(String payload) throws Exception {
        produceRaw(new ProducerRecord<>(topic, 0, null, null, payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** A copy of the sealed record at {@code index} with one ciphertext byte flipped. */
    private void tamperWith(int index) throws Exception {
        ConsumerRecord<byte[], byte[]> good =
                TopicContents.all(KAFKA.bootstrapServers(), topic).get(index);
        byte[] tampered = good.value().clone();
        tampered[tampered.length - 20] ^= 1;
        produceRaw(new ProducerRecord<>(topic, 0, null, good.key(), tampered, good.headers()));
    }

    private List<ConsumerRecord<byte[], byte[]>> deadLetters(int expected) {
        String dlq = topic + ".sb-dlq";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topicExists(dlq)
                        && TopicContents.all(KAFKA.bootstrapServers(), dlq).size() >= expected);
        return TopicContents.all(KAFKA.bootstrapServers(), dlq);
    }

    private static boolean topicExists(String name) throws Exception {
        try (Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            return admin.listTopics().names().get().contains(name);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aForgedPlainRecordMidTopicIsSkippedDeadLetteredAndTheEventsAroundItDeliveredOnce() throws Exception {
        // Given: a sealed event, a record produced around Switchboard, another sealed event
        BackendNode node = start("fc-forged", encryption());
        Calls calls = new Calls(node);
        write(calls, "w-1", "before");
        forge("forged-by-a-plain-producer");
        write(calls, "w-2", "after");

        // When
        String reader = calls.reader(topic).getSessionId();
        Calls.Drained drained = calls.readAll(reader, 2);

        // Then: the events around it arrive once, in order; the forged one never
        assertThat(drained.payloads()).containsExactly("before", "after");
        assertThat(calls.read(reader, drained.nextSeq(), 10, 500).getEvents()).isEmpty();
        assertThat(node.rejectedRecords().rejected(Reason.UNSEALED)).isEqualTo(1);
        assertThat(node.rejectedRecords().rejected(Reason.UNDECRYPTABLE)).isZero();
        // and it is in the dead-letter topic, as it was, with where it came from and why
        List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(1);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("forged-by-a-plain-producer");
        assertThat(header(dead.get(0), "sb-dlq-source")).isEqualTo(topic + "/0@1");
        assertThat(header(dead.get(0), "sb-dlq-reason")).isEqualTo("unsealed");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> node.rejectedRecords().deadLettered() == 1);
    }

    @Test
    void aTamperedRecordIsSkippedDeadLetteredAndTheEventsAroundItDeliveredOnce() throws Exception {
        // Given: a sealed event, a tampered copy of it, another sealed event
        BackendNode node = start("fc-tampered", encryption());
        Calls calls = new Calls(node);
        write(calls, "w-1", "before");
        tamperWith(0);
        write(calls, "w-2", "after");

        // When
        String reader = calls.reader(topic).getSessionId();
        Calls.Drained drained = calls.readAll(reader, 2);

        // Then
        assertThat(drained.payloads()).containsExactly("before", "after");
        assertThat(node.rejectedRecords().rejected(Reason.UNDECRYPTABLE)).isEqualTo(1);
        List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(1);
        assertThat(header(dead.get(0), "sb-dlq-source")).isEqualTo(topic + "/0@1");
        assertThat(header(dead.get(0), "sb-dlq-reason")).isEqualTo("undecryptable");
        assertThat(header(dead.get(0), "sb-dlq-detail")).contains("authentication failed");
        assertThat(header(dead.get(0), "sb-enc")).as("copied still sealed").startsWith("1:k-");
    }

    @Test
    void aRecordNamingAKeyNobodyMadeIsSkippedAsUndecryptable() throws Exception {
        // Given
        BackendNode node = start("fc-unknown-key", encryption());
        Calls calls = new Calls(node);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null, new byte[40]);
        record.headers().add("sb-enc", "1:k-nobody-made-this".getBytes(StandardCharsets.UTF_8));
        produceRaw(record);
        write(calls, "w-1", "after");

        // When
        Calls.Drained drained = calls.readAll(calls.reader(topic).getSessionId(), 1);

        // Then
        assertThat(drained.payloads()).containsExactly("after");
        assertThat(header(deadLetters(1).get(0), "sb-dlq-detail")).contains("data key k-nobody-made-this is unknown");
    }

    @Test
    void theCursorMovesPastSkippedRecordsSoNoLaterSessionMeetsThemAgain() throws Exception {
        // Given: a reader that got "first" and then met only a forged record
        BackendNode node = start("fc-cursor", encryption());
        Calls calls = new Calls(node);
        write(calls, "w-1", "first");
        forge("forged-at-the-end");
        String reader = calls.reader(topic).getSessionId();
        assertThat(Calls.payloads(calls.read(reader, 1, 10, 5000))).containsExactly("first");
        calls.ack(reader, 1);
        assertThat(calls.read(reader, 2, 10, 500).getEvents())
                .as("forged one skipped")
                .isEmpty();

        // When the next valid event arrives and is acknowledged
        write(calls, "w-2", "second");
        assertThat(Calls.payloads(calls.read(reader, 2, 10, 5000))).containsExactly("second");
        String cursor = calls.ack(reader, 2).getCursor();

        // Then a session on another node resumed from that cursor meets neither again
        BackendNode other = start("fc-cursor-2", encryption());
        Calls resumed = new Calls(other);
        String next = resumed.allocate(new AllocateRequest(topic, SessionMode.READ).setCursor(cursor))
                .getSessionId();
        assertThat(resumed.read(next, 1, 10, 500).getEvents()).isEmpty();
        assertThat(other.rejectedRecords().rejected(Reason.UNSEALED)).isZero();
        assertThat(node.rejectedRecords().rejected(Reason.UNSEALED)).isEqualTo(1);
    }

    @Test
    void tailingReadersSkipAForgedRecordAndItIsCountedAndDeadLetteredOnce() throws Exception {
        // Given two readers at the end of the topic, sharing its tail reader
        BackendNode node = start("fc-tail", encryption());
        Calls calls = new Calls(node);
        List<String> readers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            readers.add(calls.allocate(new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.LATEST))
                    .getSessionId());
        }
        for (int round = 0; round < 30 && !ReaderConsumers.open().isEmpty(); round++) {
            readers.forEach(reader ->
                    assertThat(calls.read(reader, 1, 10, 200).getEvents()).isEmpty());
        }
        assertThat(ReaderConsumers.open()).as("readers on their own").isEmpty();

        // When a sealed event, a forged record and another sealed event arrive
        write(calls, "w-1", "before");
        forge("forged-while-tailing");
        write(calls, "w-2", "after");

        // Then each reader gets the two sealed events once, the forged one never
        for (String reader : readers) {
            assertThat(calls.readAll(reader, 2).payloads()).containsExactly("before", "after");
        }
        assertThat(ReaderConsumers.open())
                .as("read from the shared tail reader")
                .isEmpty();
        assertThat(node.rejectedRecords().rejected(Reason.UNSEALED)).isEqualTo(1);
        assertThat(deadLetters(1)).hasSize(1);
    }

    @Test
    void acceptUnsealedDeliversPlainRecordsForMigration() throws Exception {
        // Given a topic with plaintext records from before encryption, and a sealed one after
        BackendNode node = start("fc-migrate", encryption().withAcceptUnsealed(true));
        Calls calls = new Calls(node);
        forge("plaintext-from-before");
        write(calls, "w-1", "sealed-after");

        // When
        Calls.Drained drained = calls.readAll(calls.reader(topic).getSessionId(), 2);

        // Then
        assertThat(drained.payloads()).containsExactly("plaintext-from-before", "sealed-after");
        assertThat(node.rejectedRecords().rejected(Reason.UNSEALED)).isZero();
        assertThat(topicExists(topic + ".sb-dlq")).isFalse();
    }
}
