package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.audit.AuditEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KafkaAuditLogTest {
    private static final Instant TIME = Instant.parse("2026-12-05T03:00:00Z");

    @Test
    @Timeout(60)
    void aFullQueueDropsAndCountsInsteadOfBlockingTheCaller() throws Exception {
        // Given an audit log with room for 2 queued events, whose Kafka producer is stuck in its first send
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(
                            ProducerRecord<byte[], byte[]> record, Callback callback) {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return super.send(record, callback);
                    }
                };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KafkaAuditLog log = new KafkaAuditLog(producer, 2, meters);
        log.record(event("first"));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        // When three more events come while Kafka is stuck (each call returns: this test would hang otherwise)
        log.record(event("second"));
        log.record(event("third"));
        log.record(event("fourth"));

        // Then one was dropped and counted; once Kafka moves, the other three are written and counted
        assertThat(count(meters, "dropped")).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> count(meters, "written") == 3);
        assertThat(producer.history())
                .extracting(record -> new ObjectMapper()
                        .readTree(record.value())
                        .path("event")
                        .asText())
                .containsExactly("first", "second", "third");
        assertThat(producer.history()).allMatch(record -> record.topic().equals("__switchboard_audit"));
        log.close();
        assertThat(count(meters, "failed")).isZero();
    }

    @Test
    void recordsAreVersionedJsonWithoutAbsentFields() throws Exception {
        // Given a refused allocate without a subject
        AuditEvent event = AuditEvent.of(TIME, "allocate", "unauthenticated", "api-1")
                .withTopic("orders")
                .withMode("read")
                .withRemote("127.0.0.1")
                .withReason("a bearer token is required");

        // When it is encoded
        JsonNode json = new ObjectMapper().readTree(KafkaAuditLog.json(event));

        // Then it has the schema's fields, and none for what is absent
        assertThat(json.path("version").asInt()).isEqualTo(AuditEvent.VERSION);
        assertThat(json.path("time").asText()).isEqualTo("2026-12-05T03:00:00Z");
        assertThat(json.path("event").asText()).isEqualTo("allocate");
        assertThat(json.path("outcome").asText()).isEqualTo("unauthenticated");
        assertThat(json.path("node").asText()).isEqualTo("api-1");
        assertThat(json.path("topic").asText()).isEqualTo("orders");
        assertThat(json.path("mode").asText()).isEqualTo("read");
        assertThat(json.path("reason").asText()).isEqualTo("a bearer token is required");
        assertThat(json.has("subject")).isFalse();
        assertThat(json.has("session")).isFalse();
        assertThat(json.has("trace_id")).isFalse();
    }

    private static AuditEvent event(String name) {
        return AuditEvent.of(TIME, name, "ok", "n1").withSubject("alice");
    }

    private static double count(SimpleMeterRegistry meters, String outcome) {
        return meters.get("switchboard.audit.records")
                .tag("outcome", outcome)
                .counter()
                .count();
    }
}
