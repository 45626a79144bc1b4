package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envelope encryption at rest, checked against what really lands in a real Kafka broker (records without a valid
 * envelope: {@link FailClosedReadsIT}).
 */
class EncryptionIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "encryption-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    private final List<BackendNode> nodes = new ArrayList<>();
    private String topic;

    @BeforeEach
    void createTopic() {
        topic = "encrypted-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1);
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(BackendNode::close);
    }

    private Calls node(String nodeId, EncryptionConfig encryption) {
        BackendNode node = BackendNode.start(
                BackendConfig.builder(nodeId, KAFKA.bootstrapServers())
                        .encryption(encryption)
                        .build(),
                SECRET,
                Clock.systemUTC());
        nodes.add(node);
        return new Calls(node);
    }

    private EncryptionConfig encryption() {
        return EncryptionConfig.local(dir.resolve("kek.p12"), "keystore-password");
    }

    private static Event secretEvent(int i) {
        return event("payload-plaintext-" + i)
                .setKey(ByteBuffer.wrap(("key-" + i).getBytes(StandardCharsets.UTF_8)))
                .setHeaders(Map.of(
                        "header-name-plaintext",
                        ByteBuffer.wrap(("header-value-plaintext-" + i).getBytes(StandardCharsets.UTF_8))));
    }

    private void write(Calls calls, String writerId, List<List<Event>> chunks) {
        String writer = calls.writer(topic, writerId).getSessionId();
        long seq = 0;
        for (List<Event> chunk : chunks) {
            calls.write(writer, ++seq, chunk);
        }
        assertThat(calls.commit(writer, seq)).isEqualTo(seq);
        calls.dispose(writer);
    }

    @Test
    void rawRecordsHoldNoPlaintextPayloadOrHeaderAndReadBackInClear() {
        // Given
        Calls calls = node("enc-a", encryption());

        // When
        write(calls, "w", List.of(List.of(secretEvent(0), secretEvent(1), secretEvent(2))));

        // Then: the raw records hold neither payloads nor user headers, only key, sb-id and sb-enc in clear
        List<ConsumerRecord<byte[], byte[]>> raw = TopicContents.all(KAFKA.bootstrapServers(), topic);
        assertThat(raw).hasSize(3);
        for (ConsumerRecord<byte[], byte[]> record : raw) {
            assertThat(new String(record.value(), StandardCharsets.ISO_8859_1)).doesNotContain("plaintext");
            List<String> headerNames = new ArrayList<>();
            for (Header header : record.headers()) {
                headerNames.add(header.key());
                assertThat(new String(header.value(), StandardCharsets.ISO_8859_1))
                        .doesNotContain("plaintext");
            }
            assertThat(headerNames).containsExactlyInAnyOrder("sb-id", "sb-enc");
            assertThat(new String(record.headers().lastHeader("sb-enc").value(), StandardCharsets.UTF_8))
                    .startsWith("1:k-");
        }
        // and a reader gets back exactly what was written
        String reader = calls.reader(topic).getSessionId();
        ReadResponse batch = calls.read(reader, 1, 10, 5000);
        assertThat(Calls.payloads(batch))
                .containsExactly("payload-plaintext-0", "payload-plaintext-1", "payload-plaintext-2");
        Event first = batch.getEvents().get(0);
        assertThat(Calls.text(first.bufferForKey())).isEqualTo("key-0");
        assertThat(Calls.text(first.getHeaders().get("header-name-plaintext"))).isEqualTo("header-value-plaintext-0");
        assertThat(first.getHeaders()).containsOnlyKeys("header-name-plaintext", "sb-id");
    }

    @Test
    void eventsSealedUnderSeveralRotatedDataKeysAllReadBack() {
        // Given: a data key seals at most 3 records
        Calls calls = node("enc-rot", encryption().withKeyRotation(Duration.ofHours(1), 3));

        // When
        List<List<Event>> chunks = new ArrayList<>();
        for (int chunk = 0; chunk < 4; chunk++) {
            chunks.add(Calls.events("rot" + chunk, 5));
        }
        write(calls, "w-rot", chunks);

        // Then
        Set<String> keyIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicContents.all(KAFKA.bootstrapServers(), topic)) {
            keyIds.add(new String(record.headers().lastHeader("sb-enc").value(), StandardCharsets.UTF_8));
        }
        assertThat(keyIds).hasSize(7); // 20 records, 3 per key
        Calls.Drained drained = calls.readAll(calls.reader(topic).getSessionId(), 20);
        assertThat(drained.payloads()).hasSize(20).contains("rot0-0", "rot3-4");
    }

    @Test
    void anotherNodeReadsWhatTheFirstWrote() {
        // Given: the reading node starts before the writer created any data key
        Calls reading = node("enc-reader", encryption());
        Calls writing = node("enc-writer", encryption());

        // When
        write(writing, "w-2", List.of(List.of(secretEvent(7), secretEvent(8))));

        // Then
        Calls.Drained drained = reading.readAll(reading.reader(topic).getSessionId(), 2);
        assertThat(drained.payloads()).containsExactly("payload-plaintext-7", "payload-plaintext-8");
    }

    @Test
    void aNodeWithoutAKeystoreRefusesSealedRecordsButReadsClearOnes() {
        // Given: a clear record written without encryption, then a sealed one
        write(node("plain-writer", EncryptionConfig.disabled()), "w-p", List.of(List.of(event("clear-one"))));
        write(node("sealing-writer", encryption()), "w-s", List.of(List.of(event("sealed-one"))));
        Calls plain = node("plain-reader", EncryptionConfig.disabled());

        // When
        String reader = plain.reader(topic).getSessionId();
        ReadResponse first = plain.read(reader, 1, 10, 5000);
        plain.ack(reader, 1);

        // Then: the sealed record is this node's problem, not the record's: never skipped, reported every time
        assertThat(Calls.payloads(first)).containsExactly("clear-one");
        for (int attempt = 0; attempt < 2; attempt++) {
            var failure = error(plain.call(Calls.readRequest(reader, 2, 10, 1000)), ErrorCode.INTERNAL);
            assertThat(failure.getMessage()).contains("encrypted and this node has no keystore");
        }
    }

    private static KafkaProducer<byte[], byte[]> plainProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
