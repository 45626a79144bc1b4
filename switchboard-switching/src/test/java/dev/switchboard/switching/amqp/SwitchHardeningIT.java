package dev.switchboard.switching.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.testkit.AmqpExtension;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The AMQP switch distrusts what comes back and bounds what goes in: an allocate answer must name the shard it
 * was sent to and a node its presence knows; a pipelining client's requests reach the session in the order sent;
 * a request whose deadline passed while it waited in the node is dropped unrun; a channel the broker closes is
 * re-created, on the API side and on the backend side. Real broker.
 */
class SwitchHardeningIT {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<AmqpSwitch> switches = new ArrayList<>();

    @AfterEach
    void close() {
        switches.forEach(AmqpSwitch::close);
    }

    /** Answers allocate with whatever session id the test chooses; records the order of everything else. */
    private static final class RecordingEndpoint implements BackendEndpoint {
        final TestEndpoint real;
        final AtomicReference<String> forgedSessionId = new AtomicReference<>();
        final Queue<Long> seen = new ConcurrentLinkedQueue<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile long blockOnSeq = -1;

        RecordingEndpoint(String node) {
            real = new TestEndpoint("s0", node);
        }

        @Override
        public String shard() {
            return real.shard();
        }

        @Override
        public String nodeId() {
            return real.nodeId();
        }

        @Override
        public OptionalInt sessionCount() {
            return real.sessionCount();
        }

        @Override
        public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
            if (request.isSetAllocate() && forgedSessionId.get() != null) {
                return CompletableFuture.completedFuture(SwitchResponse.allocate(new AllocateResponse(
                        forgedSessionId.get(),
                        new dev.switchboard.protocol.thrift.Limits(
                                100, 1 << 20, 4, 100, 1 << 20, 1 << 16, 60_000, 30_000))));
            }
            if (request.isSetAck()) {
                seen.add(request.getAck().getSeq());
                if (request.getAck().getSeq() == blockOnSeq) {
                    // Holds up the node's consumer, as a stalled endpoint would.
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return real.handle(request);
        }
    }

    private URI vhost;

    private AmqpSwitch[] apiAndBackend(BackendEndpoint endpoint) {
        vhost = AMQP.newVirtualHost();
        AmqpSwitch backend = AmqpSwitch.create(
                AmqpSwitchConfig.of(Map.of("s0", vhost), "backend").backendOnly());
        switches.add(backend);
        backend.attach(endpoint);
        AmqpSwitch api = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", vhost), "api"));
        switches.add(api);
        await().atMost(TIMEOUT).until(api::ready);
        return new AmqpSwitch[] {api, backend};
    }

    @Test
    void anAllocateAnswerNamingAnotherShardOrAnUnknownNodeIsRefused() throws Exception {
        RecordingEndpoint endpoint = new RecordingEndpoint("n1");
        AmqpSwitch api = apiAndBackend(endpoint)[0];

        // A genuine answer passes
        SwitchResponse genuine =
                api.allocate("a", TestEndpoint.allocateRequest(), TIMEOUT).get(15, TimeUnit.SECONDS);
        assertThat(genuine.isSetAllocate()).as("answer: %s", genuine).isTrue();

        // An answer naming a victim's session on another shard, or on a node nobody announced, does not
        for (String forged : List.of("s1.n1.victimsession01", "s0.ghost.victimsession01", "not-a-session")) {
            endpoint.forgedSessionId.set(forged);
            SwitchResponse answer =
                    api.allocate("a", TestEndpoint.allocateRequest(), TIMEOUT).get(15, TimeUnit.SECONDS);
            assertThat(answer.isSetError())
                    .as("answer to %s: %s", forged, answer)
                    .isTrue();
            assertThat(ErrorCode.fromThrift(answer.getError().getCode())).isEqualTo(ErrorCode.UNAVAILABLE);
        }
        assertThat(api.counters().allocateAnswersRefused()).isEqualTo(3);
    }

    @Test
    void aPipeliningClientsRequestsReachTheNodeInTheOrderSent() throws Exception {
        RecordingEndpoint endpoint = new RecordingEndpoint("n1");
        AmqpSwitch api = apiAndBackend(endpoint)[0];
        SessionId session = SessionId.create("s0", "n1");

        // When 300 requests for one session are sent without waiting for answers
        List<CompletableFuture<SwitchResponse>> answers = new ArrayList<>();
        for (long seq = 1; seq <= 300; seq++) {
            answers.add(api.forward(session, TestEndpoint.ackRequest(session, seq), TIMEOUT));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        // Then the node handled them in that order
        assertThat(List.copyOf(endpoint.seen)).hasSize(300).isSorted();
    }

    @Test
    void aRequestWhoseDeadlinePassedWhileTheNodeWasBusyIsDroppedUnrun() throws Exception {
        RecordingEndpoint endpoint = new RecordingEndpoint("n1");
        AmqpSwitch[] both = apiAndBackend(endpoint);
        AmqpSwitch api = both[0];
        AmqpSwitch backend = both[1];
        SessionId session = SessionId.create("s0", "n1");

        // Given a node stalled on request 1
        endpoint.blockOnSeq = 1;
        CompletableFuture<SwitchResponse> first = api.forward(session, TestEndpoint.ackRequest(session, 1), TIMEOUT);
        await().atMost(TIMEOUT).until(() -> endpoint.seen.contains(1L));

        // When request 2 waits behind it longer than its 300 ms deadline
        SwitchResponse second = api.forward(session, TestEndpoint.ackRequest(session, 2), Duration.ofMillis(300))
                .get(10, TimeUnit.SECONDS);
        assertThat(ErrorCode.fromThrift(second.getError().getCode())).isEqualTo(ErrorCode.UNAVAILABLE);
        endpoint.release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).isSetAck()).isTrue();

        // Then the node drops it instead of running it late, and carries on with later requests
        await().atMost(TIMEOUT).until(() -> backend.counters().expiredRequestsDropped() == 1);
        SwitchResponse third = api.forward(session, TestEndpoint.ackRequest(session, 3), TIMEOUT)
                .get(10, TimeUnit.SECONDS);
        assertThat(third.isSetAck()).isTrue();
        assertThat(endpoint.seen).containsExactly(1L, 3L);
    }

    @Test
    void anApiChannelClosedByTheBrokerIsRecreated() throws Exception {
        RecordingEndpoint endpoint = new RecordingEndpoint("n1");
        AmqpSwitch api = apiAndBackend(endpoint)[0];
        SessionId session = SessionId.create("s0", "n1");

        // Given the nodes exchange deleted under the switch, so that the next publish to it is a channel error
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(vhost);
        try (Connection admin = factory.newConnection();
                Channel channel = admin.createChannel()) {
            channel.exchangeDelete("switchboard.nodes");
        }
        SwitchResponse failed = api.forward(session, TestEndpoint.ackRequest(session, 1), TIMEOUT)
                .get(15, TimeUnit.SECONDS);
        assertThat(failed.isSetError()).isTrue();

        // Then the switch re-creates its channels (and declarations), and allocations work again
        await().atMost(TIMEOUT).until(() -> api.counters().channelsRecovered() >= 1);
        await().atMost(TIMEOUT).until(api::ready);
        SwitchResponse allocated =
                api.allocate("a", TestEndpoint.allocateRequest(), TIMEOUT).get(15, TimeUnit.SECONDS);
        assertThat(allocated.isSetAllocate()).as("answer: %s", allocated).isTrue();
    }

    @Test
    void aBackendChannelClosedByTheBrokerIsRecreated() throws Exception {
        RecordingEndpoint endpoint = new RecordingEndpoint("n1");
        AmqpSwitch[] both = apiAndBackend(endpoint);
        AmqpSwitch api = both[0];
        AmqpSwitch backend = both[1];
        SessionId session = SessionId.create("s0", "n1");

        // Given the presence exchange deleted under the switch, so that the node's next beat is a channel error
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(vhost);
        try (Connection admin = factory.newConnection();
                Channel channel = admin.createChannel()) {
            channel.exchangeDelete("switchboard.presence");
        }

        // Then the node re-creates its channels (and declarations) and answers requests again
        await().atMost(TIMEOUT).until(() -> backend.counters().channelsRecovered() >= 1);
        long[] seq = {0};
        // (a request sent while the node reconnects is returned, or vanishes with its old queue: sent again)
        await().atMost(Duration.ofSeconds(60))
                .until(() -> api.forward(session, TestEndpoint.ackRequest(session, ++seq[0]), Duration.ofSeconds(2))
                        .get(15, TimeUnit.SECONDS)
                        .isSetAck());
        assertThat(endpoint.seen).contains(seq[0]);
    }

    @Test
    void aRequestOverTheSwitchsMessageLimitIsRefusedAndTheChannelServesTheNextOne() throws Exception {
        RecordingEndpoint endpoint = new RecordingEndpoint("n1");
        AmqpSwitch api = apiAndBackend(endpoint)[0];
        SessionId session = SessionId.create("s0", "n1");
        byte[] elevenMebibytes = new byte[11 << 20];
        SwitchRequest oversized = SwitchRequest.write(new dev.switchboard.protocol.thrift.WriteRequest(
                session.toString(),
                1,
                List.of(new dev.switchboard.protocol.thrift.Event()
                        .setPayload(java.nio.ByteBuffer.wrap(elevenMebibytes)))));

        // When a request larger than 10 MiB is forwarded
        SwitchResponse refused = api.forward(session, oversized, TIMEOUT).get(15, TimeUnit.SECONDS);

        // Then it never reaches the broker (whose own limit would close the channel under every other request)
        assertThat(refused.isSetError()).as("answer: %s", refused).isTrue();
        assertThat(ErrorCode.fromThrift(refused.getError().getCode())).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(api.counters().oversizedRequestsRefused()).isEqualTo(1);
        // and the next request goes through on the same channel
        SwitchResponse next = api.forward(session, TestEndpoint.ackRequest(session, 1), TIMEOUT)
                .get(15, TimeUnit.SECONDS);
        assertThat(endpoint.seen).containsExactly(1L);
        assertThat(next).isNotNull();
        assertThat(api.counters().channelsRecovered()).isZero();
    }
}
