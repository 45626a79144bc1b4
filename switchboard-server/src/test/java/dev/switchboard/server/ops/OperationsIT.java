package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.server.Main;
import dev.switchboard.server.standalone.DevIssuer;
import dev.switchboard.server.standalone.Standalone;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's view of a standalone: {@code GET /metrics} after known traffic (values match the traffic, the
 * {@code switchboard_*} names match docs/metrics.md), {@code GET /v1/cluster} and {@code switchboard status}, and
 * the CLI naming a wrong URL.
 */
public class OperationsIT {
    private static final String TOPIC = "metrics-orders";
    private static final int EVENTS = 1000;
    private static final int PAYLOAD_BYTES = 100;

    @TempDir
    static Path dataDir;

    private static Standalone standalone;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(dataDir, 0);
    }

    @AfterAll
    static void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void valuesFollowTheTrafficAndNamesFollowTheDocs() throws Exception {
        // Given 1,000 events written in chunks of 100 and read back, and one allocate without a token
        String token = Files.readString(dataDir.resolve("dev-token")).strip();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(Event.of(String.format("%0" + PAYLOAD_BYTES + "d", i)));
        }
        int read = 0;
        try (SwitchboardClient client =
                SwitchboardClient.builder().url(standalone.uri()).token(token).build()) {
            try (Publisher publisher = client.publisher(
                    PublisherOptions.builder().topic(TOPIC).chunkEvents(100).build())) {
                publisher.publish(events);
            }
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (read < EVENTS && System.nanoTime() < deadline) {
                    Batch batch = subscriber.poll(500, Duration.ofSeconds(1));
                    read += batch.events().size();
                    subscriber.ack(batch);
                }
            }
        }
        assertThat(read).isEqualTo(EVENTS);
        assertThatThrownBy(() ->
                        new ThriftOverHttp(standalone.uri()).allocate(new AllocateRequest(TOPIC, SessionMode.READ)))
                .isInstanceOf(SwitchboardError.class);

        // When /metrics is scraped
        URI metrics = standalone.uri().resolve("/metrics");
        PrometheusText page = PrometheusText.scrape(metrics);

        // Then the values are those of the traffic
        assertThat(page.value("switchboard_events_written_total", "topic", TOPIC))
                .isEqualTo(EVENTS);
        assertThat(page.value("switchboard_events_read_total", "topic", TOPIC)).isEqualTo(EVENTS);
        assertThat(page.value("switchboard_bytes_read_total")).isEqualTo((double) EVENTS * PAYLOAD_BYTES);
        // sealed records are larger than their payloads
        assertThat(page.value("switchboard_bytes_written_total")).isGreaterThan((double) EVENTS * PAYLOAD_BYTES);
        assertThat(page.value("switchboard_requests_total", "call", "allocate", "code", "ok"))
                .isEqualTo(2);
        assertThat(page.value("switchboard_requests_total", "call", "allocate", "code", "unauthenticated"))
                .isEqualTo(1);
        assertThat(page.value("switchboard_requests_total", "call", "commit", "code", "ok"))
                .isGreaterThanOrEqualTo(1);
        assertThat(page.value("switchboard_request_seconds_count", "call", "allocate"))
                .isEqualTo(3);
        assertThat(page.value("switchboard_commit_seconds_count")).isGreaterThanOrEqualTo(1);
        assertThat(page.value("switchboard_presence_nodes", "shard", "s0", "state", "serving"))
                .isEqualTo(1);
        assertThat(page.value("switchboard_drain_state")).isZero();
        // both sessions were disposed when their clients closed
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(PrometheusText.scrape(metrics).value("switchboard_sessions"))
                        .isZero());
        assertThat(page.names("jvm_")).contains("jvm_memory_used_bytes", "jvm_threads_live_threads");
        assertThat(page.names("kafka_producer_")).isNotEmpty();

        // And every switchboard_* name is documented, and every documented api/backend name is exported
        Map<String, String> documented = PrometheusText.documented();
        Set<String> exported = page.names("switchboard_");
        assertThat(documented.keySet()).containsAll(exported);
        Set<String> expectedHere = documented.entrySet().stream()
                .filter(entry -> !entry.getValue().equals("amqp"))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertThat(exported).containsAll(expectedHere);
    }

    @Test
    void clusterViewNeedsTheAdminScope() throws Exception {
        URI cluster = standalone.uri().resolve("/v1/cluster");
        String reader = DevIssuer.load(dataDir).mint("reader", List.of("switchboard:read:*"), Duration.ofMinutes(5));
        String admin = Files.readString(dataDir.resolve("dev-token")).strip();
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(get(http, cluster, null).statusCode()).isEqualTo(401);
            HttpResponse<String> forbidden = get(http, cluster, reader);
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(forbidden.body()).contains("switchboard:admin");
            HttpResponse<String> allowed = get(http, cluster, admin);
            assertThat(allowed.statusCode()).isEqualTo(200);
            JsonNode view = new ObjectMapper().readTree(allowed.body());
            assertThat(view.at("/shards/0/shard").asText()).isEqualTo("s0");
            assertThat(view.at("/shards/0/serving").asBoolean()).isTrue();
            assertThat(view.at("/shards/0/nodes/0/state").asText()).isEqualTo("serving");
            assertThat(view.at("/api/node").asText()).isEqualTo("standalone");
            assertThat(view.at("/traffic/requests").isNumber()).isTrue();
        }
    }

    @Test
    void statusPrintsTheClusterAndExitsZeroWhenEveryShardServes() throws Exception {
        Path token = dataDir.resolve("dev-token");
        Cli table = cli("status", "--url", standalone.uri().toString(), "--token-file", token.toString());
        assertThat(table.exit()).isZero();
        assertThat(table.stdout()).contains("s0", "n1", "serving", "standalone", "healthy");

        Cli json = cli("status", "--json", "--url", standalone.uri().toString(), "--token-file", token.toString());
        assertThat(json.exit()).isZero();
        JsonNode status = new ObjectMapper().readTree(json.stdout());
        assertThat(status.get("healthy").asBoolean()).isTrue();
        assertThat(status.at("/shards/0/nodes/0/node").asText()).isEqualTo("n1");
        assertThat(status.at("/api-nodes/0/state").asText()).isEqualTo("ok");
    }

    @Test
    void aWrongUrlPathIsNamedWithItsStatus() throws Exception {
        URI wrong = standalone.uri().resolve("/wrong/");
        Cli run = cli(
                "consume",
                "--topic",
                "t",
                "--url",
                wrong.toString(),
                "--token-file",
                dataDir.resolve("dev-token").toString(),
                "--max",
                "1");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).contains("HTTP 404 from " + wrong.resolve("v1/thrift"));
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public record Cli(int exit, String stdout, String stderr) {}

    /** The command line in this JVM, its standard output and error captured. */
    public static Cli cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Cli(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
