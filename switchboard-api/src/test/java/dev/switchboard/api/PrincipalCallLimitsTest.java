package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API node's bound on one principal's calls in progress ({@code max-calls-per-principal}), over real HTTP with
 * real tokens: a principal's session calls count against the principal this node handed the session to, its
 * allocates against the token's subject; past the bound the answer is BUSY with retry-after naming the key, while
 * another principal is served, and the bound frees as calls finish.
 */
class PrincipalCallLimitsTest {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "switchboard";
    private static final byte[] SECRET = "principal-limits-test-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_CALLS = 3;

    private final HeldCommits backend = new HeldCommits();
    private final LocalSwitch sw = new LocalSwitch();
    private final Switch.Attachment attachment = sw.attach(backend);
    private ApiServer server;

    @AfterEach
    void stop() {
        backend.releaseAll();
        if (server != null) {
            server.close();
        }
        attachment.close();
        sw.close();
    }

    @Test
    void aPrincipalPastItsCallsInProgressIsBusyWhileAnotherIsServed() throws Exception {
        // Given an API node that lets a principal have 3 calls in progress, and alice's write session
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        server = ApiServer.start(
                ApiConfig.defaults()
                        .withPort(0)
                        .withRequestTimeout(Duration.ofMinutes(2))
                        .withLimits(ApiLimits.defaults().withMaxCallsPerPrincipal(MAX_CALLS)),
                sw,
                () -> true,
                ApiSecurity.of(
                        OAuthConfig.fixedKeys(ISSUER, AUDIENCE, new JWKSet(key.toPublicJWK()).toString()), SECRET));
        ThriftOverHttp alice = ThriftOverHttp.authorised(server.uri(), token(key, "alice"));
        ThriftOverHttp bob = ThriftOverHttp.authorised(server.uri(), token(key, "bob"));
        String aliceSession =
                alice.allocate(new AllocateRequest("orders", SessionMode.WRITE)).getSessionId();

        // When alice has 3 commits waiting on the backend
        List<CompletableFuture<CommitResponse>> waiting = java.util.stream.IntStream.range(0, MAX_CALLS)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> commit(alice, aliceSession)))
                .toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.held() == MAX_CALLS);

        // Then her next call, and her next allocate, are BUSY, retry-after 1 s, naming the principal and the key
        assertThatThrownBy(() -> alice.write(new WriteRequest(aliceSession, 1, List.of())))
                .isInstanceOfSatisfying(SwitchboardError.class, busy -> {
                    assertThat(busy.getCode()).isEqualTo(ErrorCode.BUSY);
                    assertThat(busy.getRetryAfterMs()).isEqualTo(1000);
                    assertThat(busy.getMessage()).contains("'alice'").contains("max-calls-per-principal");
                });
        assertThatThrownBy(() -> alice.allocate(new AllocateRequest("orders", SessionMode.WRITE)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class,
                        busy -> assertThat(busy.getCode()).isEqualTo(ErrorCode.BUSY));
        assertThat(server.counters().principalCallsRefused()).isEqualTo(2);
        assertThat(backend.writes()).isZero();

        // And bob, on the same node, is served
        String bobSession =
                bob.allocate(new AllocateRequest("orders", SessionMode.WRITE)).getSessionId();
        assertThat(bob.write(new WriteRequest(bobSession, 1, List.of())).getSeq())
                .isEqualTo(1);

        // And once alice's commits are answered, she is served again
        backend.releaseAll();
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).join();
        assertThat(alice.write(new WriteRequest(aliceSession, 1, List.of())).getSeq())
                .isEqualTo(1);
        assertThat(server.counters().principalCallsRefused()).isEqualTo(2);
    }

    private static CommitResponse commit(ThriftOverHttp client, String session) {
        try {
            return client.commit(new CommitRequest(session, 1));
        } catch (org.apache.thrift.TException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(RSAKey key, String subject) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("scope", "switchboard:write:orders")
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** A backend whose allocations get sessions of their own and whose commits wait until released. */
    private static final class HeldCommits implements BackendEndpoint {
        private final AtomicInteger sessions = new AtomicInteger();
        private final AtomicInteger writes = new AtomicInteger();
        private final Queue<CompletableFuture<SwitchResponse>> commits = new ConcurrentLinkedQueue<>();

        @Override
        public String shard() {
            return TestBackend.SHARD;
        }

        @Override
        public String nodeId() {
            return TestBackend.NODE;
        }

        int held() {
            return commits.size();
        }

        int writes() {
            return writes.get();
        }

        void releaseAll() {
            for (CompletableFuture<SwitchResponse> commit = commits.poll(); commit != null; commit = commits.poll()) {
                commit.complete(SwitchResponse.commit(new CommitResponse(1)));
            }
        }

        @Override
        public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
            return switch (request.getSetField()) {
                case ALLOCATE ->
                    CompletableFuture.completedFuture(SwitchResponse.allocate(new AllocateResponse(
                                    TestBackend.SHARD + "." + TestBackend.NODE + ".s" + sessions.incrementAndGet(),
                                    new Limits(100, 1 << 20, 4, 100, 1 << 20, 1 << 16, 60_000, 30_000))
                            .setWriterId("w")
                            .setLastCommittedSeq(0)));
                case WRITE -> {
                    writes.incrementAndGet();
                    yield CompletableFuture.completedFuture(SwitchResponse.write(new WriteResponse(
                            request.getWrite().getSeq(), request.getWrite().getSeq())));
                }
                case COMMIT -> {
                    CompletableFuture<SwitchResponse> held = new CompletableFuture<>();
                    commits.add(held);
                    yield held;
                }
                case DISPOSE -> CompletableFuture.completedFuture(SwitchResponse.dispose(new DisposeResponse()));
                default ->
                    throw new UnsupportedOperationException(
                            request.getSetField().toString());
            };
        }
    }
}
