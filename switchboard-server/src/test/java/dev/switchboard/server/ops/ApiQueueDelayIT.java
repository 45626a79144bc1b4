package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.api.ApiConfig;
import dev.switchboard.api.ApiLimits;
import dev.switchboard.api.ApiServer;
import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.BackendNode;
import dev.switchboard.switching.amqp.AmqpSwitch;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import dev.switchboard.testkit.AmqpExtension;
import dev.switchboard.testkit.KafkaExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An API node that is behind ({@code limits.max-queue-delay} of 100 ms) answers a new write BUSY with a
 * retry-after at once, without sending it to the backend, while a commit still goes through; once nothing slow is
 * answered any more it takes writes again. Real RabbitMQ (the AMQP switch), the in-process Kafka broker, a real
 * backend node and an API node over HTTP.
 *
 * <p>"Behind" is made by writes whose bodies arrive 400 ms after their heads: the API node measures from a request's
 * arrival, so each of them took at least 400 ms to answer, while the backend (its own gate at the default 5 s)
 * answers every request at once. The only wait on the clock is the node's own rule that a gate with nothing
 * answered for two seconds opens again, awaited with a bound.
 */
class ApiQueueDelayIT {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "api-queue-delay-it-secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SLOW_BODY = Duration.ofMillis(400);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anApiNodeBehindShedsNewWritesButCommitsAndOpensAgain() throws Exception {
        URI vhost = AMQP.newVirtualHost();
        try (BackendNode node = BackendNode.start(
                        BackendConfig.builder("queue-delay-node", KAFKA.bootstrapServers())
                                .autoCreateTopics(true)
                                .build(),
                        SECRET,
                        Clock.systemUTC());
                AmqpSwitch backendSide = AmqpSwitch.create(
                        AmqpSwitchConfig.of(Map.of("s0", vhost), "backend").backendOnly());
                AmqpSwitch apiSide = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", vhost), "api"))) {
            backendSide.attach(node);
            await().atMost(TIMEOUT).until(apiSide::ready);
            try (ApiServer api = ApiServer.start(
                    ApiConfig.defaults()
                            .withPort(0)
                            .withLimits(ApiLimits.defaults().withMaxQueueDelay(Duration.ofMillis(100))),
                    apiSide)) {
                URI base = api.uri();
                HttpResponse<String> allocated =
                        post(base, "allocate", "{\"topic\":\"api-queue-delay\",\"mode\":\"WRITE\"}");
                assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(200);
                String session =
                        JSON.readTree(allocated.body()).get("sessionId").asText();

                // Given writes that each take at least 400 ms from arrival to answer, sent until the node sheds one
                // (the first second's window must end, then one of them is refused once its body is in)
                long seq = 1;
                String answer = slowWrite(api.port(), session, seq);
                while (answer.startsWith("HTTP/1.1 200") && seq < 10) {
                    seq++;
                    answer = slowWrite(api.port(), session, seq);
                }
                assertThat(answer).startsWith("HTTP/1.1 429").contains("BUSY");
                long staged = seq - 1;
                assertThat(staged).isPositive();

                // When a new write arrives, quick itself
                HttpResponse<String> refused = post(base, "write", writeBody(session, seq));

                // Then it is answered BUSY with a retry-after, naming the limit, by the API node (not the backend)
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
                JsonNode error = JSON.readTree(refused.body());
                assertThat(error.get("code").asText()).isEqualTo("BUSY");
                assertThat(error.get("retryAfterMs").asLong()).isBetween(100L, 5_000L);
                assertThat(error.get("message").asText()).contains("max-queue-delay 100 ms");
                assertThat(api.counters().queueDelayRefused()).isGreaterThanOrEqualTo(2);
                assertThat(node.counters().requestsRefusedQueueDelay()).isZero();

                // And a commit of what the node staged still goes through
                HttpResponse<String> committed =
                        post(base, "commit", "{\"sessionId\":\"" + session + "\",\"seq\":" + staged + "}");
                assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
                assertThat(JSON.readTree(committed.body()).get("committedSeq").asLong())
                        .isEqualTo(staged);

                // And once nothing slow is answered, the gate opens again and the same write is taken
                long next = seq;
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    HttpResponse<String> taken = post(base, "write", writeBody(session, next));
                    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
                    assertThat(JSON.readTree(taken.body()).get("stagedSeq").asLong())
                            .isEqualTo(next);
                });
            }
        }
    }

    private HttpResponse<String> post(URI base, String call, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(base.resolve("/v1/json/" + call))
                        .header("Content-Type", "application/json")
                        .timeout(TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A write whose head arrives at once and whose body's second half {@link #SLOW_BODY} later; the raw answer. */
    private static String slowWrite(int port, String session, long seq) throws IOException, InterruptedException {
        byte[] body = writeBody(session, seq).getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/json/write HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            int half = body.length / 2;
            out.write(body, 0, half);
            out.flush();
            Thread.sleep(SLOW_BODY);
            out.write(body, half, body.length - half);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String writeBody(String session, long seq) {
        return "{\"sessionId\":\"" + session + "\",\"seq\":" + seq + ",\"events\":[{\"text\":\"event " + seq + "\"}]}";
    }
}
