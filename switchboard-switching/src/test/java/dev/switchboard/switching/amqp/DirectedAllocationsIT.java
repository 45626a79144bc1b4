package dev.switchboard.switching.amqp;

import static dev.switchboard.switching.TestEndpoint.allocateRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.testkit.AmqpExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An API node directs each allocate to the less loaded of two nodes that take sessions (by presence and what it sent
 * them since), so a burst does not land on whichever node answers fastest; when the chosen node cannot take it, the
 * allocate goes to the shared queue once and still succeeds. Real broker, one shard, fresh virtual host per test.
 */
class DirectedAllocationsIT {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);

    private final List<AmqpSwitch> switches = new ArrayList<>();
    private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
    private URI vhost;

    @AfterEach
    void close() {
        beats.shutdownNow();
        switches.forEach(AmqpSwitch::close);
    }

    @Test
    void aBurstOfAllocationsSpreadsEvenlyOverAFastAndASlowNode() throws Exception {
        // Given two nodes of one shard: "fast" makes a session at once, "slow" takes 300 ms for each
        vhost = AMQP.newVirtualHost();
        AmqpSwitch backend = backend(HEARTBEAT);
        TestEndpoint fast = new TestEndpoint("s0", "fast");
        SlowAllocations slow = new SlowAllocations(new TestEndpoint("s0", "slow"), Duration.ofMillis(300));
        backend.attach(fast);
        backend.attach(slow);
        AmqpSwitch api = api();
        awaitServing(api, "fast");
        awaitServing(api, "slow");

        // When 20 sessions are allocated at once
        List<CompletableFuture<SwitchResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(api.allocate("principal-" + i + "/orders", allocateRequest(), TIMEOUT));
        }
        Map<String, Integer> perNode = new HashMap<>();
        for (CompletableFuture<SwitchResponse> answer : answers) {
            SwitchResponse response = answer.get(30, TimeUnit.SECONDS);
            assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
            perNode.merge(SessionId.parse(response.getAllocate().getSessionId()).node(), 1, Integer::sum);
        }

        // Then each node makes about half of them (competing consumers alone gave the fast node nearly all)
        assertThat(perNode.getOrDefault("fast", 0)).as("spread %s", perNode).isBetween(8, 12);
        assertThat(perNode.getOrDefault("slow", 0)).as("spread %s", perNode).isBetween(8, 12);
        assertThat(api.counters().allocationsDirected()).isEqualTo(20);
        assertThat(api.counters().allocationsFallenBack()).isZero();
    }

    @Test
    void aDirectedAllocateToANodeWhoseQueueIsGoneStillSucceedsThroughTheSharedQueue() throws Exception {
        // Given a node hosting many sessions, and a "ghost" that presence lists as serving and idle but whose queue
        // is gone (a node killed a moment ago, its beats not timed out yet): the test beats for it
        vhost = AMQP.newVirtualHost();
        AmqpSwitch backend = backend(HEARTBEAT);
        TestEndpoint loaded = new TestEndpoint("s0", "loaded");
        backend.attach(new ReportedSessions(loaded, 1000));
        AmqpSwitch api = api();
        awaitServing(api, "loaded");
        try (Connection connection = connect()) {
            Channel channel = connection.createChannel();
            beats.scheduleAtFixedRate(
                    () -> beat(channel, "ghost", "serving", 1000), 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            awaitServing(api, "ghost");

            // When sessions are allocated (each goes to the ghost first: it looks far less loaded)
            for (int i = 0; i < 5; i++) {
                SwitchResponse response = api.allocate("principal/orders", allocateRequest(), TIMEOUT)
                        .get(15, TimeUnit.SECONDS);

                // Then each is made by the node that is there, never answered SESSION_LOST or UNAVAILABLE
                assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
                assertThat(SessionId.parse(response.getAllocate().getSessionId())
                                .node())
                        .isEqualTo("loaded");
            }
        }
        assertThat(loaded.allocations()).isEqualTo(5);
        assertThat(api.counters().allocationsDirected()).isEqualTo(5);
        assertThat(api.counters().allocationsFallenBack()).isEqualTo(5);
        assertThat(api.counters().allocationsShared()).isEqualTo(5);
    }

    @Test
    void aNodeThatHasStoppedTakingSessionsRefusesADirectedAllocateAndTheSharedQueueTakesIt() throws Exception {
        // Given a node that drained (it no longer consumes the shared queue) while presence still says it serves, idle
        // (its draining beat overtaken by a stale one: the test's), and a serving node hosting many sessions
        vhost = AMQP.newVirtualHost();
        AmqpSwitch api = api(); // first: the quiet node's one beat on attaching must find its presence queue
        AmqpSwitch quiet = backend(Duration.ofMinutes(1)); // beats only when its state changes
        TestEndpoint drained = new TestEndpoint("s0", "drained");
        Switch.Attachment attachment = quiet.attach(drained);
        TestEndpoint loaded = new TestEndpoint("s0", "loaded");
        backend(HEARTBEAT).attach(new ReportedSessions(loaded, 1000));
        awaitServing(api, "drained");
        awaitServing(api, "loaded");
        attachment.drain();
        await().atMost(TIMEOUT).until(() -> stateOf(api, "drained").equals(Optional.of(NodeState.DRAINING)));
        try (Connection connection = connect()) {
            beat(connection.createChannel(), "drained", "serving", 60_000);
        }
        awaitServing(api, "drained");

        // When a session is allocated (it goes to "drained" first: it looks far less loaded)
        SwitchResponse response =
                api.allocate("principal/orders", allocateRequest(), TIMEOUT).get(15, TimeUnit.SECONDS);

        // Then the drained node's switch refuses it without making a session, and the serving node makes it
        assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
        assertThat(SessionId.parse(response.getAllocate().getSessionId()).node())
                .isEqualTo("loaded");
        assertThat(drained.allocations()).isZero();
        assertThat(api.counters().allocationsDirected()).isEqualTo(1);
        assertThat(api.counters().allocationsFallenBack()).isEqualTo(1);
    }

    /** Makes every session {@code delay} after the allocate arrives, without holding up the node's consumer. */
    private record SlowAllocations(TestEndpoint real, Duration delay) implements BackendEndpoint {
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
            if (!request.isSetAllocate()) {
                return real.handle(request);
            }
            return CompletableFuture.supplyAsync(
                    () -> real.handle(request).join(),
                    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Announces {@code sessions} hosted in its beats, whatever it hosts. */
    private record ReportedSessions(TestEndpoint real, int sessions) implements BackendEndpoint {
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
            return OptionalInt.of(sessions);
        }

        @Override
        public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
            return real.handle(request);
        }
    }

    /** A presence beat for {@code node} of shard s0, idle, in the wire form backend nodes send. */
    private static void beat(Channel channel, String node, String state, long intervalMillis) {
        String body = "v=1;shard=s0;node=" + node + ";state=" + state + ";inflight=0;interval-ms=" + intervalMillis
                + ";version=test;kafka=up;sessions=0";
        try {
            channel.basicPublish("switchboard.presence", "", null, body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(vhost);
        return factory.newConnection();
    }

    private AmqpSwitch api() {
        AmqpSwitch api = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", vhost), "api"));
        switches.add(api);
        return api;
    }

    private AmqpSwitch backend(Duration heartbeat) {
        AmqpSwitch backend = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", vhost), "backend")
                .withHeartbeat(heartbeat)
                .backendOnly());
        switches.add(0, backend); // closed first, like a backend process stopping before the API's
        return backend;
    }

    private static Optional<NodeState> stateOf(AmqpSwitch api, String node) {
        return api.shards().stream()
                .flatMap(shard -> shard.nodes().stream())
                .filter(seen -> seen.node().equals(node))
                .map(NodeStatus::state)
                .findFirst();
    }

    private static void awaitServing(AmqpSwitch api, String node) {
        await().atMost(TIMEOUT).until(() -> stateOf(api, node).equals(Optional.of(NodeState.SERVING)));
    }
}
