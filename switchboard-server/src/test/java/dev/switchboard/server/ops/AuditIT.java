package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.standalone.DevIssuer;
import dev.switchboard.server.standalone.Standalone;
import dev.switchboard.testkit.ThriftOverHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit stream of a standalone, read back from {@code __switchboard_audit} with a plain Kafka consumer: after
 * known access (granted and refused allocates, a dispose, a call without a request MAC, admin calls, an expired
 * session) the topic holds one JSON record (schema version 1) for each, with subject, topic, mode and outcome, and
 * never a payload; the written count is in the metrics.
 */
public class AuditIT {
    private static final String TOPIC = "audit-orders";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static Standalone standalone;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(NodeConfig.builder()
                .value(ConfigKeys.DATA_DIR, dataDir, "test")
                .value(ConfigKeys.PORT, 0, "test")
                .value(ConfigKeys.LIMITS_SESSION_TTL, Duration.ofSeconds(2), "test")
                .build());
    }

    @AfterAll
    static void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void accessEventsAreReadBackFromTheAuditTopic() throws Exception {
        // Given tokens for a writer, a reader and the admin
        DevIssuer issuer = DevIssuer.load(dataDir);
        String writer = issuer.mint("alice", List.of("switchboard:write:" + TOPIC), Duration.ofMinutes(5));
        String reader = issuer.mint("bob", List.of("switchboard:read:" + TOPIC), Duration.ofMinutes(5));
        String admin = issuer.mint("carol", DevIssuer.ALL_SCOPES, Duration.ofMinutes(5));
        URI uri = standalone.uri();

        // When alice allocates a writer and disposes it, bob's write allocate is refused, an allocate without a
        // token is refused, a read without a request MAC is refused, bob's reader expires, and both call the
        // admin view
        ThriftOverHttp alice = ThriftOverHttp.authorised(uri, writer);
        AllocateResponse written = alice.allocate(new AllocateRequest(TOPIC, SessionMode.WRITE));
        alice.dispose(new DisposeRequest(written.getSessionId()));
        ThriftOverHttp bob = ThriftOverHttp.authorised(uri, reader);
        assertThatThrownBy(() -> bob.allocate(new AllocateRequest(TOPIC, SessionMode.WRITE)))
                .isInstanceOf(SwitchboardError.class);
        assertThatThrownBy(() -> new ThriftOverHttp(uri).allocate(new AllocateRequest(TOPIC, SessionMode.READ)))
                .isInstanceOf(SwitchboardError.class);
        assertThatThrownBy(() -> new ThriftOverHttp(uri).read(new ReadRequest(written.getSessionId(), 1)))
                .isInstanceOf(SwitchboardError.class);
        AllocateResponse idle = bob.allocate(new AllocateRequest(TOPIC, SessionMode.READ));
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(adminView(http, uri, reader)).isEqualTo(403);
            assertThat(adminView(http, uri, admin)).isEqualTo(200);
        }

        // Then the audit topic holds each of them
        List<JsonNode> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(List.of("__switchboard_audit"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records.add(JSON.readTree(new String(record.value(), StandardCharsets.UTF_8)));
                }
                return records.stream().anyMatch(r -> r.path("event").asText().equals("expire"));
            });
        }
        for (JsonNode record : records) {
            assertThat(record.path("version").asInt()).as(record.toString()).isEqualTo(1);
            assertThat(record.path("time").asText()).as(record.toString()).isNotBlank();
            assertThat(record.path("node").asText()).as(record.toString()).isNotBlank();
            assertThat(record.has("payload")).as(record.toString()).isFalse();
        }
        JsonNode granted = find(records, "allocate", "ok", "alice");
        assertThat(granted.path("topic").asText()).isEqualTo(TOPIC);
        assertThat(granted.path("mode").asText()).isEqualTo("write");
        assertThat(granted.path("session").asText()).isEqualTo(written.getSessionId());
        assertThat(granted.path("remote").asText()).isNotBlank();
        assertThat(find(records, "dispose", "ok", null).path("session").asText())
                .isEqualTo(written.getSessionId());
        JsonNode forbidden = find(records, "allocate", "forbidden", "bob");
        assertThat(forbidden.path("mode").asText()).isEqualTo("write");
        assertThat(forbidden.path("reason").asText()).isNotBlank();
        assertThat(find(records, "allocate", "unauthenticated", null).has("subject"))
                .isFalse();
        assertThat(find(records, "auth-failure", "unauthenticated", null)
                        .path("call")
                        .asText())
                .isEqualTo("read");
        assertThat(find(records, "admin", "forbidden", "bob").path("call").asText())
                .isEqualTo("GET /v1/cluster");
        assertThat(find(records, "admin", "ok", "carol").path("node").asText()).isEqualTo("standalone");
        JsonNode expired = find(records, "expire", "ok", "bob");
        assertThat(expired.path("session").asText()).isEqualTo(idle.getSessionId());
        assertThat(expired.path("topic").asText()).isEqualTo(TOPIC);

        // And the written records are counted, none dropped
        PrometheusText page = PrometheusText.scrape(uri.resolve("/metrics"));
        assertThat(page.value("switchboard_audit_records_total", "outcome", "written"))
                .isGreaterThanOrEqualTo(records.size());
        assertThat(page.value("switchboard_audit_records_total", "outcome", "dropped"))
                .isZero();
    }

    private static JsonNode find(List<JsonNode> records, String event, String outcome, String subject) {
        return records.stream()
                .filter(r -> r.path("event").asText().equals(event))
                .filter(r -> r.path("outcome").asText().equals(outcome))
                .filter(r -> subject == null || r.path("subject").asText().equals(subject))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no audit record event=" + event + " outcome=" + outcome
                        + " subject=" + subject + " in " + records));
    }

    private static int adminView(HttpClient http, URI uri, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri.resolve("/v1/cluster"))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, standalone.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "audit-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        return new KafkaConsumer<>(props);
    }
}
