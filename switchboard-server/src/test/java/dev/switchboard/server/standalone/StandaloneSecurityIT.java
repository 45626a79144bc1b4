package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.testkit.ThriftOverHttp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standalone is secure by default: the development issuer's tokens, request MACs, and a robust HTTP edge. */
class StandaloneSecurityIT {
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

    private static ThriftOverHttp as(String token) {
        return ThriftOverHttp.authorised(standalone.uri(), token);
    }

    /** A writer's allocate creates the topic (readers never do). */
    private static void createTopic(String topic) throws Exception {
        as(token("switchboard:write:*")).allocate(new AllocateRequest(topic, SessionMode.WRITE));
    }

    private static String token(String... scopes) throws Exception {
        return DevIssuer.load(dataDir).mint("it", List.of(scopes), Duration.ofMinutes(5));
    }

    private static SwitchboardError refused(ThrowingCall call, ErrorCode code) {
        try {
            call.run();
        } catch (SwitchboardError e) {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(code);
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a SwitchboardError " + code + ", got " + e, e);
        }
        throw new AssertionError("expected a SwitchboardError " + code + ", got an answer");
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void theDevTokenGrantsEverythingAndTheJwksIsServed() throws Exception {
        String devToken = Files.readString(dataDir.resolve("dev-token")).strip();

        AllocateResponse writer = as(devToken).allocate(new AllocateRequest("anything", SessionMode.WRITE));
        HttpResponse<String> jwks = new ThriftOverHttp(standalone.uri()).get("/.well-known/jwks.json");

        assertThat(writer.getMacKey()).hasSize(32);
        assertThat(jwks.statusCode()).isEqualTo(200);
        assertThat(jwks.body())
                .contains("\"kty\":\"EC\"")
                .contains("\"crv\":\"P-256\"")
                .doesNotContain("\"d\":");
    }

    @Test
    void noTokenOrATokenForAnotherTopicIsRefusedClearly() throws Exception {
        String ordersReader = token("switchboard:read:orders.*");

        SwitchboardError noToken = refused(
                () -> new ThriftOverHttp(standalone.uri()).allocate(new AllocateRequest("orders.eu", SessionMode.READ)),
                ErrorCode.UNAUTHENTICATED);
        SwitchboardError otherTopic = refused(
                () -> as(ordersReader).allocate(new AllocateRequest("payments", SessionMode.READ)),
                ErrorCode.FORBIDDEN);
        SwitchboardError writing = refused(
                () -> as(ordersReader).allocate(new AllocateRequest("orders.eu", SessionMode.WRITE)),
                ErrorCode.FORBIDDEN);

        assertThat(noToken.getMessage()).contains("a bearer token is required");
        assertThat(otherTopic.getMessage()).contains("does not grant reading topic 'payments'");
        assertThat(writing.getMessage()).contains("does not grant writing topic 'orders.eu'");
        createTopic("orders.eu"); // readers never create topics
        assertThat(as(ordersReader)
                        .allocate(new AllocateRequest("orders.eu", SessionMode.READ).setStartFrom(StartFrom.EARLIEST))
                        .getSessionId())
                .isNotBlank();
    }

    @Test
    void aSessionCannotBeUsedWithoutItsMacKey() throws Exception {
        // Given a session allocated by someone else
        createTopic("private");
        AllocateResponse session = as(token("switchboard:read:*"))
                .allocate(new AllocateRequest("private", SessionMode.READ).setStartFrom(StartFrom.EARLIEST));

        // When another caller with a valid token of its own tries to read from it
        ThriftOverHttp intruder = as(token("switchboard:read:*"));

        // Then
        assertThat(refused(() -> intruder.read(new ReadRequest(session.getSessionId(), 1)), ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .contains("carries no request MAC");
    }

    @Test
    void randomBytesAndTruncatedFramesGet4xxAndTheServerStaysHealthy() throws Exception {
        ThriftOverHttp http = new ThriftOverHttp(standalone.uri());
        byte[] call = new ThriftOverHttp.Codec()
                .encode(client -> client.send_allocate(new AllocateRequest("fuzz", SessionMode.READ)));
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] body = new byte[1 + random.nextInt(300)];
            random.nextBytes(body);
            if (i % 2 == 0) {
                body[0] = (byte) 0x82; // past the protocol id check, into the decoder
            }
            assertThat(http.post(body).statusCode()).as("random body %d", i).isBetween(400, 499);
        }
        for (int length = 1; length < call.length; length++) {
            assertThat(http.post(Arrays.copyOf(call, length)).statusCode())
                    .as("call truncated to %d bytes", length)
                    .isBetween(400, 499);
        }
        assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
    }
}
