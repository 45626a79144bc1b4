package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.thrift.TException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bearer tokens on allocate and request MACs on later calls, with real keys, real tokens and real HTTP: the API
 * node fetches the issuer's JWK set from a real HTTP server.
 */
class AuthenticationTest {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "switchboard";
    private static final byte[] SECRET = "authentication-test-cluster-secret".getBytes(StandardCharsets.UTF_8);

    private static RSAKey rsa;
    private static ECKey ec;
    private static RSAKey rotated;
    private static final AtomicReference<String> PUBLISHED = new AtomicReference<>();
    private static HttpServer issuer;
    private static LocalSwitch sw;
    private static TestBackend backend;
    private static Switch.Attachment attachment;
    private static ApiServer server;
    private static ThriftOverHttp http;

    @BeforeAll
    static void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        PUBLISHED.set(new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer.createContext("/jwks", exchange -> {
            byte[] body = PUBLISHED.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        issuer.start();
        URI jwks = URI.create("http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks");
        sw = new LocalSwitch();
        backend = new TestBackend();
        attachment = sw.attach(backend);
        server = ApiServer.start(
                ApiConfig.defaults().withPort(0),
                sw,
                () -> true,
                ApiSecurity.of(
                        OAuthConfig.remote(ISSUER, AUDIENCE, jwks).withJwksMinRefreshInterval(Duration.ZERO), SECRET));
        http = new ThriftOverHttp(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
        attachment.close();
        sw.close();
        issuer.stop(0);
    }

    // ---- tokens ------------------------------------------------------------------------------------------

    private static JWTClaimsSet.Builder claims(String... scopes) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(List.of(AUDIENCE, "other-service"))
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("scope", String.join(" ", scopes));
    }

    private static String rs256(JWTClaimsSet claims, RSAKey key) throws JOSEException {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String es256(JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims);
        jwt.sign(new ECDSASigner(ec));
        return jwt.serialize();
    }

    private static AllocateResponse allocate(String topic, SessionMode mode, String... headers) throws TException {
        return call(c -> c.send_allocate(new AllocateRequest(topic, mode)), Switchboard.Client::recv_allocate, headers);
    }

    private static <T> T call(ThriftOverHttp.Send send, ThriftOverHttp.Receive<T> receive, String... headers)
            throws TException {
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        HttpResponse<byte[]> response = http.post(codec.encode(send), headers);
        assertThat(response.statusCode()).isEqualTo(200);
        return codec.decode(response.body(), receive);
    }

    private static SwitchboardError refusal(ThrowingCall call, ErrorCode code) {
        AtomicReference<SwitchboardError> error = new AtomicReference<>();
        assertThatThrownBy(call::run).isInstanceOfSatisfying(SwitchboardError.class, e -> {
            assertThat(e.getCode()).isEqualTo(code);
            error.set(e);
        });
        return error.get();
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    // ---- allocate -----------------------------------------------------------------------------------------

    @Test
    void rs256AndEs256TokensWithMatchingScopesAllocateAndGetAMacKey() throws Exception {
        String reader = rs256(claims("switchboard:read:orders.*").build(), rsa);
        String writer = es256(claims("switchboard:write:orders.eu").build());

        AllocateResponse read = allocate("orders.eu", SessionMode.READ, "Authorization", bearer(reader));
        AllocateResponse write = allocate("orders.eu", SessionMode.WRITE, "Authorization", bearer(writer));

        assertThat(read.getMacKey()).isEqualTo(RequestMac.sessionKey(SECRET, read.getSessionId()));
        assertThat(write.getWriterId()).isNotBlank();
    }

    @Test
    void theBackendGetsTheTokensSubjectAsPrincipalNeverTheClientsOwn() throws Exception {
        // given a writer that claims to be someone else
        String writer = rs256(claims("switchboard:write:orders").build(), rsa);
        AllocateRequest forged = new AllocateRequest("orders", SessionMode.WRITE).setPrincipal("mallory");

        // when it allocates
        call(c -> c.send_allocate(forged), Switchboard.Client::recv_allocate, "Authorization", bearer(writer));

        // then the backend sees the token's subject
        AllocateRequest arrived = backend.received().stream()
                .filter(request -> request.isSetAllocate())
                .map(request -> request.getAllocate())
                .reduce((first, second) -> second)
                .orElseThrow();
        assertThat(arrived.getPrincipal()).isEqualTo("alice");
    }

    @Test
    void noTokenOrAMalformedOneIsUnauthenticated() {
        assertThat(refusal(() -> allocate("orders", SessionMode.READ), ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .isEqualTo("a bearer token is required: send 'Authorization: Bearer <token>'");
        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", "Basic YTpi"),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .contains("must be 'Bearer <token>'");
        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", bearer("not.a.jwt")),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .isEqualTo("the bearer token is not a JWT");
    }

    @Test
    void anExpiredOrNotYetValidTokenIsUnauthenticated() throws Exception {
        Instant now = Instant.now();
        String expired = rs256(
                claims("switchboard:read:*")
                        .expirationTime(Date.from(now.minus(Duration.ofMinutes(2))))
                        .build(),
                rsa);
        String early = rs256(
                claims("switchboard:read:*")
                        .notBeforeTime(Date.from(now.plus(Duration.ofMinutes(2))))
                        .build(),
                rsa);

        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", bearer(expired)),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .startsWith("the token expired at ");
        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", bearer(early)),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .startsWith("the token is not valid before ");
    }

    @Test
    void aTokenSignedByAnUnpublishedKeyIsUnauthenticated() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, other key
        String forged = rs256(claims("switchboard:read:*").build(), impostor);

        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", bearer(forged)),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .startsWith("the token signature is not valid");
    }

    @Test
    void aWrongIssuerOrAudienceIsUnauthenticated() throws Exception {
        String otherIssuer =
                rs256(claims("switchboard:read:*").issuer("https://evil.test").build(), rsa);
        String otherAudience =
                rs256(claims("switchboard:read:*").audience("billing").build(), rsa);

        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", bearer(otherIssuer)),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .contains("issuer is not accepted");
        assertThat(refusal(
                                () -> allocate("orders", SessionMode.READ, "Authorization", bearer(otherAudience)),
                                ErrorCode.UNAUTHENTICATED)
                        .getMessage())
                .contains("audience does not include 'switchboard'");
    }

    @Test
    void aReadOnlyTokenCannotWriteAndAPatternGrantsOnlyItsTopics() throws Exception {
        String readOnly = rs256(claims("switchboard:read:orders.*", "profile").build(), rsa);

        assertThat(refusal(
                                () -> allocate("orders.eu", SessionMode.WRITE, "Authorization", bearer(readOnly)),
                                ErrorCode.FORBIDDEN)
                        .getMessage())
                .contains("does not grant writing topic 'orders.eu'")
                .contains("it grants switchboard:read:orders.*");
        assertThat(refusal(
                                () -> allocate("payments", SessionMode.READ, "Authorization", bearer(readOnly)),
                                ErrorCode.FORBIDDEN)
                        .getMessage())
                .contains("does not grant reading topic 'payments'");
        assertThat(allocate("orders.us", SessionMode.READ, "Authorization", bearer(readOnly))
                        .getSessionId())
                .isNotBlank();
    }

    @Test
    void aKeyTheIssuerPublishedLaterIsFetchedOnItsFirstUse() throws Exception {
        // Given the node has fetched and cached the issuer's keys
        allocate(
                "orders",
                SessionMode.READ,
                "Authorization",
                bearer(rs256(claims("switchboard:read:*").build(), rsa)));

        // When the issuer starts signing with a new key
        PUBLISHED.set(new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK(), rotated.toPublicJWK())).toString());
        String fresh = rs256(claims("switchboard:read:*").build(), rotated);

        // Then a token signed with it is accepted
        assertThat(allocate("orders", SessionMode.READ, "Authorization", bearer(fresh))
                        .getSessionId())
                .isNotBlank();
    }

    // ---- request MACs -------------------------------------------------------------------------------------

    private static String[] signed(byte[] key, String session, long timestamp, String nonce, byte[] body) {
        return new String[] {
            RequestMac.TIMESTAMP_HEADER, Long.toString(timestamp),
            RequestMac.NONCE_HEADER, nonce,
            RequestMac.MAC_HEADER, RequestMac.sign(key, session, timestamp, nonce, body)
        };
    }

    private static AllocateResponse reader() throws Exception {
        return allocate(
                "orders",
                SessionMode.READ,
                "Authorization",
                bearer(rs256(claims("switchboard:read:*").build(), rsa)));
    }

    /** A read refused with UNAUTHENTICATED; {@code codec} encoded {@code body} (Thrift matches the call id). */
    private static SwitchboardError readRefused(ThriftOverHttp.Codec codec, byte[] body, String... headers) {
        HttpResponse<byte[]> response = http.post(body, headers);
        assertThat(response.statusCode()).isEqualTo(200);
        AtomicReference<SwitchboardError> error = new AtomicReference<>();
        assertThatThrownBy(() -> codec.decode(response.body(), Switchboard.Client::recv_read))
                .isInstanceOfSatisfying(SwitchboardError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                    error.set(e);
                });
        return error.get();
    }

    @Test
    void aSignedCallPassesAndItsReplayIsRefused() throws Exception {
        // Given
        AllocateResponse session = reader();
        String id = session.getSessionId();
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        byte[] body = codec.encode(c -> c.send_read(new ReadRequest(id, 1).setMaxEvents(2)));
        String[] headers = signed(session.getMacKey(), id, System.currentTimeMillis(), RequestMac.nonce(), body);

        // When
        HttpResponse<byte[]> first = http.post(body, headers);

        // Then
        ReadResponse read = codec.decode(first.body(), Switchboard.Client::recv_read);
        assertThat(read.getEvents()).hasSize(2);
        assertThat(readRefused(codec, body, headers).getMessage()).contains("replayed");
    }

    @Test
    void aMissingWrongOrStaleMacIsRefused() throws Exception {
        AllocateResponse session = reader();
        String id = session.getSessionId();
        byte[] otherKey = RequestMac.sessionKey("another-cluster-secret".getBytes(StandardCharsets.UTF_8), id);
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        byte[] body = codec.encode(c -> c.send_read(new ReadRequest(id, 1)));
        byte[] altered = new ThriftOverHttp.Codec().encode(c -> c.send_read(new ReadRequest(id, 2)));
        long now = System.currentTimeMillis();

        List<String> messages = new ArrayList<>();
        messages.add(readRefused(codec, body).getMessage());
        messages.add(readRefused(codec, body, signed(otherKey, id, now, RequestMac.nonce(), body))
                .getMessage());
        messages.add(readRefused(codec, altered, signed(session.getMacKey(), id, now, RequestMac.nonce(), body))
                .getMessage());
        long stale = now - Duration.ofMinutes(6).toMillis();
        messages.add(readRefused(codec, body, signed(session.getMacKey(), id, stale, RequestMac.nonce(), body))
                .getMessage());

        assertThat(messages)
                .satisfiesExactly(
                        missing -> assertThat(missing).contains("carries no request MAC"),
                        wrongKey -> assertThat(wrongKey).contains("MAC is not valid"),
                        wrongBody -> assertThat(wrongBody).contains("MAC is not valid"),
                        old -> assertThat(old).contains("away from the server's clock"));
    }
}
