package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON mapping, {@code POST /v1/json/<call>}, over real HTTP with real tokens and request MACs, in front of a
 * deterministic backend: the same authentication, the same error codes as JSON objects with fitting statuses, the
 * same size limit.
 */
class JsonCallsTest {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "switchboard";
    private static final byte[] SECRET = "json-calls-test-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ECKey signingKey;
    private static LocalSwitch sw;
    private static TestBackend backend;
    private static Switch.Attachment attachment;
    private static ApiServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        signingKey = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        sw = new LocalSwitch();
        backend = new TestBackend();
        attachment = sw.attach(backend);
        server = ApiServer.start(
                ApiConfig.defaults().withPort(0).withMaxRequestBytes(MAX_REQUEST_BYTES),
                sw,
                () -> true,
                ApiSecurity.of(
                        OAuthConfig.fixedKeys(ISSUER, AUDIENCE, new JWKSet(signingKey.toPublicJWK()).toString()),
                        SECRET));
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
        attachment.close();
        sw.close();
        http.close();
    }

    @Test
    void allocateWithATokenAnswersTheSessionAndItsMacKeyInBase64() throws Exception {
        // When allocating a reader with a token granting the topic
        HttpResponse<String> response = post(
                "allocate", "{\"topic\":\"orders\",\"mode\":\"READ\",\"startFrom\":\"EARLIEST\"}", token("orders"));

        // Then the answer is the AllocateResponse as JSON, the MAC key the session's key
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("sessionId").asText()).isEqualTo(TestBackend.SESSION);
        assertThat(answer.get("cursor").asText()).isEqualTo("cursor-0");
        assertThat(answer.get("limits").get("maxEventsPerRead").asInt()).isEqualTo(100);
        assertThat(answer.get("limits").get("sessionTtlMs").asLong()).isEqualTo(60_000);
        assertThat(Base64.getDecoder().decode(answer.get("macKey").asText()))
                .isEqualTo(RequestMac.sessionKey(SECRET, TestBackend.SESSION));
    }

    @Test
    void allocateWithoutATokenIsUnauthenticated401() throws Exception {
        HttpResponse<String> response = post("allocate", "{\"topic\":\"orders\",\"mode\":\"READ\"}", null);

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(error.get("retriable").asBoolean()).isFalse();
        assertThat(error.get("message").asText()).contains("Bearer");
    }

    @Test
    void aSignedReadAnswersEventsAsTextWithTheirPositions() throws Exception {
        // Given a read signed over its exact body bytes
        String body = "{\"sessionId\":\"" + TestBackend.SESSION + "\",\"seq\":7,\"maxEvents\":2,\"maxWaitMs\":0}";

        // When
        HttpResponse<String> response = postSigned("read", body.getBytes(StandardCharsets.UTF_8), false);

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("seq").asLong()).isEqualTo(7);
        assertThat(answer.get("events")).hasSize(2);
        assertThat(answer.get("events").get(1).get("text").asText()).isEqualTo("event-7-1");
        assertThat(answer.get("events").get(1).has("payload")).isFalse();
        assertThat(answer.get("events").get(1).get("offset").asLong()).isEqualTo(1);
    }

    @Test
    void aGzippedBodyIsSignedOverItsUncompressedBytes() throws Exception {
        String body = "{\"sessionId\":\"" + TestBackend.SESSION + "\",\"seq\":4}";

        HttpResponse<String> response = postSigned("ack", body.getBytes(StandardCharsets.UTF_8), true);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("cursor").asText()).isEqualTo("cursor-4");
    }

    @Test
    void anUnsignedOrWronglySignedCallIsUnauthenticated() throws Exception {
        String body = "{\"sessionId\":\"" + TestBackend.SESSION + "\",\"seq\":1}";

        HttpResponse<String> unsigned = post("ack", body, null);
        HttpRequest.Builder tampered = signedRequest("ack", body.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> otherBody = http.send(
                tampered.POST(HttpRequest.BodyPublishers.ofString(body.replace("1}", "2}")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(unsigned.body()).get("code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(otherBody.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(otherBody.body()).get("message").asText()).contains("MAC");
    }

    @Test
    void writeTakesTextAndBase64PayloadsAndHeadersAsAMap() throws Exception {
        // Given a chunk with a text event and a binary one with a binary header
        String body = "{\"sessionId\":\"" + TestBackend.SESSION + "\",\"seq\":1,\"events\":["
                + "{\"text\":\"héllo\",\"keyText\":\"k1\",\"headers\":{\"trace\":\"abc\"},\"timestamp\":1767225600000},"
                + "{\"payload\":\"AAEC/w==\",\"headersBase64\":{\"bin\":\"/w==\"}}]}";

        // When
        HttpResponse<String> response = postSigned("write", body.getBytes(StandardCharsets.UTF_8), false);

        // Then the backend got exactly these bytes
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("stagedSeq").asLong()).isEqualTo(1);
        List<Event> events = backend.received().stream()
                .filter(SwitchRequest::isSetWrite)
                .map(r -> r.getWrite().getEvents())
                .filter(e -> e.size() == 2)
                .reduce((first, second) -> second)
                .orElseThrow();
        assertThat(events.get(0).getPayload()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(events.get(0).getKey()).isEqualTo("k1".getBytes(StandardCharsets.UTF_8));
        assertThat(events.get(0).getHeaders().get("trace").array()).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
        assertThat(events.get(0).getTimestamp()).isEqualTo(1767225600000L);
        assertThat(events.get(1).getPayload()).isEqualTo(new byte[] {0, 1, 2, (byte) 0xff});
        assertThat(events.get(1).getHeaders().get("bin").array()).isEqualTo(new byte[] {(byte) 0xff});
    }

    @Test
    void outOfSequenceIs409WithTheExpectedSeq() throws Exception {
        String body = "{\"sessionId\":\"" + TestBackend.SESSION + "\",\"seq\":" + TestBackend.OUT_OF_SEQUENCE_SEQ + "}";

        HttpResponse<String> response = postSigned("ack", body.getBytes(StandardCharsets.UTF_8), false);

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("OUT_OF_SEQUENCE");
        assertThat(error.get("expectedSeq").asLong()).isEqualTo(TestBackend.EXPECTED_SEQ);
        assertThat(error.get("retriable").asBoolean()).isFalse();
    }

    @Test
    void badRequestsAreNamedInvalidRequests() throws Exception {
        assertInvalid("{\"topic\":\"orders\"}", "allocate request lacks required field 'mode'");
        assertInvalid("{\"topic\":\"orders\",\"mode\":\"READ\",\"startTime\":5}", "unknown field 'startTime'");
        assertInvalid("{\"topic\":\"orders\",\"mode\":\"SIDEWAYS\"}", "mode must be one of READ, WRITE");
        assertInvalid(
                "{\"topic\":\"orders\",\"mode\":\"READ\",\"startTimestamp\":\"soon\"}",
                "startTimestamp must be an integer");
        assertInvalid("{\"topic\":\"orders\",\"mode\":\"READ\"} trailing", "malformed JSON");
        assertInvalid("{\"topic\":\"a\",\"topic\":\"b\",\"mode\":\"READ\"}", "malformed JSON");
        assertInvalid("[1,2]", "allocate request must be a JSON object");
        assertInvalid("", "empty body");
    }

    @Test
    void theHttpEdgeAnswersInJsonToo() throws Exception {
        HttpResponse<String> wrongType = http.send(
                HttpRequest.newBuilder(uri("allocate"))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> get =
                http.send(HttpRequest.newBuilder(uri("read")).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> tooLarge =
                post("allocate", "{\"topic\":\"" + "x".repeat(MAX_REQUEST_BYTES) + "\",\"mode\":\"READ\"}", token("x"));
        HttpResponse<String> unknownCall = post("rewind", "{}", null);

        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(wrongType.body()).get("message").asText()).contains("application/json");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).hasValue("POST");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooLarge.body()).get("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(unknownCall.statusCode()).isEqualTo(404);
    }

    @Test
    void theServedDescriptionIsTheOneInTheRepositoryAndItsSchemasReject() throws Exception {
        HttpResponse<String> served = http.send(
                HttpRequest.newBuilder(server.uri().resolve("/v1/openapi.json"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(served.body()).get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(JSON.readTree(served.body())
                        .at("/paths/~1v1~1json~1write/post")
                        .isMissingNode())
                .isFalse();
        // the validator is not vacuous: a wrong type, an unknown field and a missing payload are refused
        assertThat(OpenApiSchemas.isValid("ReadRequest", JSON.readTree("{\"sessionId\":\"s\",\"seq\":\"1\"}")))
                .isFalse();
        assertThat(OpenApiSchemas.isValid("AckRequest", JSON.readTree("{\"sessionId\":\"s\",\"seq\":1,\"x\":1}")))
                .isFalse();
        assertThat(OpenApiSchemas.isValid("Event", JSON.readTree("{\"key\":\"AA==\"}")))
                .isFalse();
        assertThat(OpenApiSchemas.isValid("Event", JSON.readTree("{\"text\":\"a\"}")))
                .isTrue();
    }

    private static void assertInvalid(String body, String messagePart) throws Exception {
        HttpResponse<String> response = post("allocate", body, token("orders"));
        assertThat(response.statusCode()).as(body).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(error.get("message").asText()).as(body).contains(messagePart);
    }

    /** Posts {@code body}; every answer (and every accepted request) is checked against the OpenAPI description. */
    private static HttpResponse<String> post(String call, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(call))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 404) {
            OpenApiSchemas.assertExchange(
                    call, body.getBytes(StandardCharsets.UTF_8), response.statusCode(), response.body());
        }
        return response;
    }

    private static HttpResponse<String> postSigned(String call, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder request = signedRequest(call, body);
        byte[] sent = body;
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
                zip.write(body);
            }
            sent = out.toByteArray();
            request.header("Content-Encoding", "gzip");
        }
        HttpResponse<String> response = http.send(
                request.POST(HttpRequest.BodyPublishers.ofByteArray(sent)).build(),
                HttpResponse.BodyHandlers.ofString());
        OpenApiSchemas.assertExchange(call, body, response.statusCode(), response.body());
        return response;
    }

    /** A request to {@code call} with the MAC headers for {@code body}, signed as a client does. */
    private static HttpRequest.Builder signedRequest(String call, byte[] body) {
        byte[] key = RequestMac.sessionKey(SECRET, TestBackend.SESSION);
        long now = System.currentTimeMillis();
        String nonce = RequestMac.nonce();
        return HttpRequest.newBuilder(uri(call))
                .header("Content-Type", "application/json; charset=utf-8")
                .header(RequestMac.TIMESTAMP_HEADER, Long.toString(now))
                .header(RequestMac.NONCE_HEADER, nonce)
                .header(RequestMac.MAC_HEADER, RequestMac.sign(key, TestBackend.SESSION, now, nonce, body));
    }

    private static URI uri(String call) {
        return server.uri().resolve("/v1/json/" + call);
    }

    private static String token(String topic) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("json-user")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("scope", "switchboard:read:" + topic + " switchboard:write:" + topic)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(signingKey.getKeyID())
                        .build(),
                claims);
        jwt.sign(new ECDSASigner(signingKey));
        return jwt.serialize();
    }
}
