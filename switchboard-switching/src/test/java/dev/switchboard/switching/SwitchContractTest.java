package dev.switchboard.switching;

import static dev.switchboard.switching.TestEndpoint.ackRequest;
import static dev.switchboard.switching.TestEndpoint.allocateRequest;
import static dev.switchboard.switching.TestEndpoint.readRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Switch} must have, run against each implementation by a subclass. A subclass gives
 * an API-side switch and a backend-side switch (the same object for the in-process switch) for each test.
 */
public abstract class SwitchContractTest {
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** A deadline no test waits for: an answer {@link #answer} gets did not come from it. */
    protected static final Duration NEVER = Duration.ofHours(1);

    private static final AtomicInteger NODES = new AtomicInteger();

    /** The switch API nodes use, fresh for each test. */
    protected abstract Switch api();

    /** The switch backend nodes attach to, fresh for each test (may be {@link #api()}). */
    protected abstract Switch backend();

    /** The shard the backend nodes of these tests belong to. */
    protected abstract String shard();

    /** Waits until the API side knows {@code node} as serving (presence); nothing to wait for in-process. */
    protected void awaitServing(TestEndpoint node) {}

    /** Waits until the API side knows {@code node} as draining. */
    protected void awaitDraining(TestEndpoint node) {}

    /** Waits until the API side has heard whether {@code node} reaches Kafka (presence). */
    protected void awaitKafkaReachable(TestEndpoint node, boolean reachable) {}

    @Test
    void allocateReachesANodeAndTheAnswerComesBack() throws Exception {
        // Given one attached node
        TestEndpoint node = attach();

        // When a session is allocated
        SwitchResponse response = answer(api().allocate("principal/orders", allocateRequest(), TIMEOUT));

        // Then the node made it, and its answer came back
        assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
        SessionId session = SessionId.parse(response.getAllocate().getSessionId());
        assertThat(session.shard()).isEqualTo(shard());
        assertThat(session.node()).isEqualTo(node.nodeId());
        assertThat(node.allocations()).isEqualTo(1);
        assertThat(api().ready()).isTrue();
    }

    @Test
    void forwardReachesTheNodeNamedInTheSession() throws Exception {
        // Given three attached nodes
        List<TestEndpoint> nodes = List.of(attach(), attach(), attach());

        for (TestEndpoint node : nodes) {
            // When a request of a session hosted by one of them is forwarded
            SwitchResponse response = answer(api().forward(sessionOn(node), ackRequest(sessionOn(node), 7), TIMEOUT));

            // Then exactly that node answers it
            assertThat(response.isSetAck()).as("answer: %s", response).isTrue();
            assertThat(response.getAck().getCursor()).isEqualTo(node.nodeId());
            assertThat(response.getAck().getSeq()).isEqualTo(7);
        }
    }

    @Test
    void theCallersTraceContextReachesTheNode() throws Exception {
        // Given one attached node, and a caller inside a trace (as an API node is while it handles a request)
        TestEndpoint node = attach();
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Context caller = TraceContext.extract(Context.root(), Map.of(TraceContext.TRACEPARENT, traceparent));

        // When it forwards a request
        CompletableFuture<SwitchResponse> pending;
        try (Scope scope = caller.makeCurrent()) {
            pending = api().forward(sessionOn(node), ackRequest(sessionOn(node), 3), TIMEOUT);
        }
        SwitchResponse response = answer(pending);

        // Then the node handled it inside that same trace context (AMQP: carried in the message headers)
        assertThat(response.isSetAck()).as("answer: %s", response).isTrue();
        assertThat(node.lastTraceparent()).contains(traceparent);
    }

    @Test
    void unknownNodeAnswersSessionLostLongBeforeTheTimeout() throws Exception {
        // Given a shard with a live node
        attach();
        SessionId forged = SessionId.create(shard(), "no-such-node");

        // When a request names a node that does not exist (with a deadline far beyond how long the test waits)
        SwitchResponse response = answer(api().forward(forged, ackRequest(forged, 1), NEVER));

        // Then it answers SESSION_LOST at once, not after the timeout
        assertError(response, ErrorCode.SESSION_LOST);
    }

    @Test
    void noBackendAttachedAllocateAnswersUnavailable() throws Exception {
        // Given no backend node at all

        // When a session is allocated
        SwitchResponse response = answer(api().allocate("principal/orders", allocateRequest(), Duration.ofSeconds(2)));

        // Then the answer is UNAVAILABLE, and the switch is not ready
        assertError(response, ErrorCode.UNAVAILABLE);
        assertThat(api().ready()).isFalse();
    }

    @Test
    void passedDeadlineAnswersUnavailable() throws Exception {
        // Given a node that never answers reads
        TestEndpoint node = attach().onRead(read -> new CompletableFuture<>());

        // When a read is forwarded with a short deadline
        Duration deadline = Duration.ofMillis(300);
        SwitchResponse response = answer(api().forward(sessionOn(node), readRequest(sessionOn(node), 1), deadline));

        // Then UNAVAILABLE comes back because the deadline passed
        assertThat(assertError(response, ErrorCode.UNAVAILABLE).getMessage()).contains("did not answer in time");
    }

    @Test
    void drainingNodeTakesNoAllocationsButStillAnswersItsSessions() throws Exception {
        // Given two nodes, one of them draining
        TestEndpoint draining = new TestEndpoint(shard(), nextNodeId());
        backend().attach(draining).drain();
        TestEndpoint serving = attach();
        awaitDraining(draining);

        // When sessions are allocated
        for (int i = 0; i < 10; i++) {
            SwitchResponse response = answer(api().allocate("affinity-" + i, allocateRequest(), TIMEOUT));

            // Then only the serving node takes them
            assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
            assertThat(SessionId.parse(response.getAllocate().getSessionId()).node())
                    .isEqualTo(serving.nodeId());
        }
        assertThat(draining.allocations()).isZero();

        // And the draining node still answers requests of its sessions
        SwitchResponse ack = answer(api().forward(sessionOn(draining), ackRequest(sessionOn(draining), 3), TIMEOUT));
        assertThat(ack.isSetAck()).as("answer: %s", ack).isTrue();
        assertThat(ack.getAck().getCursor()).isEqualTo(draining.nodeId());
    }

    @Test
    void aNodeThatDoesNotReachKafkaTakesNoSessionsAndIsNotReadyUntilItDoesAgain() throws Exception {
        // Given the only node loses Kafka
        TestEndpoint node = attach();
        node.kafkaReachable(false);
        awaitKafkaReachable(node, false);

        // When a session is allocated
        SwitchResponse response = answer(api().allocate("principal/orders", allocateRequest(), Duration.ofSeconds(2)));

        // Then nobody takes it, the answer names the cause, and the switch is not ready
        assertThat(assertError(response, ErrorCode.UNAVAILABLE).getMessage()).contains("reaches Kafka");
        assertThat(node.allocations()).isZero();
        assertThat(api().ready()).isFalse();

        // And once the node reaches Kafka again, it is ready and takes sessions
        node.kafkaReachable(true);
        awaitKafkaReachable(node, true);
        assertThat(api().ready()).isTrue();
        assertThat(answer(api().allocate("principal/orders", allocateRequest(), TIMEOUT))
                        .isSetAllocate())
                .isTrue();
        assertThat(node.allocations()).isEqualTo(1);
    }

    @Test
    void allocationsGoOnlyToNodesThatReachKafka() throws Exception {
        // Given two nodes of the shard, one of which lost Kafka
        TestEndpoint cut = attach();
        cut.kafkaReachable(false);
        awaitKafkaReachable(cut, false);
        TestEndpoint reaching = attach();

        // When sessions are allocated
        for (int i = 0; i < 10; i++) {
            SwitchResponse response = answer(api().allocate("affinity-" + i, allocateRequest(), TIMEOUT));

            // Then only the node that reaches Kafka takes them
            assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
            assertThat(SessionId.parse(response.getAllocate().getSessionId()).node())
                    .isEqualTo(reaching.nodeId());
        }
        assertThat(cut.allocations()).isZero();
        assertThat(api().ready()).isTrue();
    }

    @Test
    void onlyDrainingNodesMeansNotReadyAndNoAllocation() throws Exception {
        // Given the only node drains
        TestEndpoint node = new TestEndpoint(shard(), nextNodeId());
        backend().attach(node).drain();
        awaitDraining(node);

        // When a session is allocated
        SwitchResponse response = answer(api().allocate("principal/orders", allocateRequest(), Duration.ofSeconds(2)));

        // Then nobody takes it
        assertError(response, ErrorCode.UNAVAILABLE);
        assertThat(node.allocations()).isZero();
        assertThat(api().ready()).isFalse();
    }

    @Test
    void detachedNodeAnswersSessionLost() throws Exception {
        // Given a node that served a session, then detached (another node keeps the shard up)
        attach();
        TestEndpoint gone = new TestEndpoint(shard(), nextNodeId());
        Switch.Attachment attachment = backend().attach(gone);
        awaitServing(gone);
        assertThat(answer(api().forward(sessionOn(gone), ackRequest(sessionOn(gone), 1), TIMEOUT))
                        .isSetAck())
                .isTrue();
        attachment.close();

        // When a request of that session arrives (with a deadline far beyond how long the test waits)
        SwitchResponse response = answer(api().forward(sessionOn(gone), ackRequest(sessionOn(gone), 2), NEVER));

        // Then it answers SESSION_LOST, long before the timeout
        assertError(response, ErrorCode.SESSION_LOST);
    }

    @Test
    void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        // Given two nodes
        List<TestEndpoint> nodes = List.of(attach(), attach());

        // When 8 threads forward 50 requests each, every one with its own seq, to alternating nodes
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                int thread = t;
                checks.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < 50; i++) {
                                long seq = thread * 1_000L + i;
                                TestEndpoint node = nodes.get(i % 2);
                                SwitchResponse response = api().forward(
                                                sessionOn(node), ackRequest(sessionOn(node), seq), TIMEOUT)
                                        .join();

                                // Then each answer is the one for that request, from that node
                                assertThat(response.isSetAck())
                                        .as("answer: %s", response)
                                        .isTrue();
                                assertThat(response.getAck().getSeq()).isEqualTo(seq);
                                assertThat(response.getAck().getCursor()).isEqualTo(node.nodeId());
                            }
                        },
                        threads));
            }
            CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void endpointErrorsComeBackIntact() throws Exception {
        // Given a node whose reads fail with OUT_OF_SEQUENCE carrying the expected seq
        TestEndpoint node = attach().onRead(read -> CompletableFuture.completedFuture(
                SwitchResponses.error(SwitchboardException.outOfSequence(5, "expected seq 5, got 9"))));

        // When a read is forwarded
        SwitchResponse response = answer(api().forward(sessionOn(node), readRequest(sessionOn(node), 9), TIMEOUT));

        // Then the error arrives with its code, message and expected seq
        SwitchboardError error = assertError(response, ErrorCode.OUT_OF_SEQUENCE);
        assertThat(error.getMessage()).isEqualTo("expected seq 5, got 9");
        assertThat(error.getExpectedSeq()).isEqualTo(5);
    }

    @Test
    void failingEndpointAnswersInternalWithoutItsMessage() throws Exception {
        // Given a node whose reads blow up, or fail their future
        TestEndpoint throwing = attach().onRead(read -> {
            throw new IllegalStateException("secret internal detail");
        });
        TestEndpoint failing = attach().onRead(
                        read -> CompletableFuture.failedFuture(new IllegalStateException("secret internal detail")));

        for (TestEndpoint node : List.of(throwing, failing)) {
            // When a read is forwarded
            SwitchResponse response = answer(api().forward(sessionOn(node), readRequest(sessionOn(node), 1), TIMEOUT));

            // Then the answer is INTERNAL, and the exception's text stays inside
            SwitchboardError error = assertError(response, ErrorCode.INTERNAL);
            assertThat(error.getMessage()).doesNotContain("secret");
        }
    }

    protected TestEndpoint attach() {
        TestEndpoint node = new TestEndpoint(shard(), nextNodeId());
        backend().attach(node);
        awaitServing(node);
        return node;
    }

    protected static String nextNodeId() {
        return "node-" + NODES.incrementAndGet();
    }

    protected SessionId sessionOn(TestEndpoint node) {
        return new SessionId(node.shard(), node.nodeId(), "test-session");
    }

    protected static SwitchResponse answer(CompletableFuture<SwitchResponse> future) throws Exception {
        return future.get(TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    protected static SwitchboardError assertError(SwitchResponse response, ErrorCode code) {
        assertThat(response.isSetError()).as("answer: %s", response).isTrue();
        assertThat(ErrorCode.fromThrift(response.getError().getCode())).isEqualTo(code);
        return response.getError();
    }
}
