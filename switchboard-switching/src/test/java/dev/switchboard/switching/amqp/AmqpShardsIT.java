package dev.switchboard.switching.amqp;

import static dev.switchboard.switching.TestEndpoint.ackRequest;
import static dev.switchboard.switching.TestEndpoint.allocateRequest;
import static dev.switchboard.switching.TestEndpoint.readRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.routing.RendezvousHashing;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.testkit.AmqpExtension;
import dev.switchboard.testkit.EmbeddedAmqpBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two shards on two independent brokers: shard s0 on the broker {@link AmqpExtension} chooses (RabbitMQ on our
 * machines), shard s1 on an embedded Qpid broker of this class, which a test stops and restarts.
 */
class AmqpShardsIT {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static URI s0;
    private static EmbeddedAmqpBroker s1Broker;

    private final List<AmqpSwitch> switches = new java.util.ArrayList<>();

    @BeforeAll
    static void brokers() {
        s0 = AMQP.newVirtualHost();
        s1Broker = EmbeddedAmqpBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        s1Broker.close();
    }

    @AfterEach
    void closeSwitches() {
        switches.forEach(AmqpSwitch::close);
    }

    @Test
    void newSessionsSpreadOverTheShardsByRendezvousHashingOfTheirAffinity() throws Exception {
        // Given one serving node on each of two shards
        AmqpSwitch api = api(twoShards());
        AmqpSwitch backend = backend(twoShards());
        backend.attach(new TestEndpoint("s0", "a"));
        backend.attach(new TestEndpoint("s1", "b"));
        awaitServing(api, "s0", "a");
        awaitServing(api, "s1", "b");

        // When sessions with 40 different affinities are allocated, each twice
        Map<String, String> shardOf = new HashMap<>();
        for (String affinity : affinities(40)) {
            String first = allocatedShard(api, affinity);
            String second = allocatedShard(api, affinity);

            // Then an affinity always lands on the same shard, the one rendezvous hashing picks
            assertThat(second).as("shard of %s", affinity).isEqualTo(first);
            assertThat(first)
                    .isEqualTo(RendezvousHashing.choose(affinity, List.of("s0", "s1"))
                            .orElseThrow());
            shardOf.put(affinity, first);
        }
        // And both shards get sessions
        assertThat(shardOf.values()).contains("s0", "s1");
    }

    @Test
    void sessionIdWithAForgedShardAnswersSessionLost() throws Exception {
        // Given a cluster of two shards with a node each
        AmqpSwitch api = api(twoShards());
        backend(twoShards()).attach(new TestEndpoint("s0", "a"));
        awaitServing(api, "s0", "a");

        // When a request names a shard the cluster does not have
        SessionId forged = new SessionId("s9", "a", "forged");
        SwitchResponse response =
                api.forward(forged, ackRequest(forged, 1), TIMEOUT).get(5, TimeUnit.SECONDS);

        // Then it answers SESSION_LOST, saying why
        assertThat(response.isSetError()).as("answer: %s", response).isTrue();
        assertThat(ErrorCode.fromThrift(response.getError().getCode())).isEqualTo(ErrorCode.SESSION_LOST);
        assertThat(response.getError().getMessage()).contains("names no shard");
    }

    @Test
    void requestsHeldByANodeThatVanishesAnswerSessionLostBeforeTheirDeadline() throws Exception {
        // Given a node that takes reads and never answers them
        AmqpSwitch api = api(twoShards());
        Switch.Attachment node =
                backend(twoShards()).attach(new TestEndpoint("s0", "silent").onRead(read -> new CompletableFuture<>()));
        awaitServing(api, "s0", "silent");
        SessionId session = new SessionId("s0", "silent", "held");

        // When a read with a long deadline is in the node's hands and the node goes away
        CompletableFuture<SwitchResponse> held = api.forward(session, readRequest(session, 1), Duration.ofSeconds(60));
        await().atMost(TIMEOUT)
                .until(() -> api.shards().getFirst().nodes().stream()
                        .anyMatch(status -> status.node().equals("silent") && status.inflight() == 1));
        node.close();

        // Then the read answers SESSION_LOST (the client re-allocates), not UNAVAILABLE at its deadline
        SwitchResponse response = held.get(50, TimeUnit.SECONDS);
        assertThat(response.isSetError()).as("answer: %s", response).isTrue();
        assertThat(ErrorCode.fromThrift(response.getError().getCode())).isEqualTo(ErrorCode.SESSION_LOST);
    }

    @Test
    void shardWhoseBrokerIsDownTakesNoNewSessions() throws Exception {
        // Given shard s0 with a serving node, and shard s2 whose broker does not answer
        Map<String, URI> shards = new LinkedHashMap<>();
        shards.put("s0", s0);
        shards.put("s2", URI.create("amqp://guest:guest@127.0.0.1:" + freePort()));
        AmqpSwitch api = api(shards);
        backend(shards).attach(new TestEndpoint("s0", "a"));
        awaitServing(api, "s0", "a");

        // When sessions are allocated, including ones whose affinity s2 would win
        List<String> affinities = affinities(20);
        assertThat(affinities)
                .anyMatch(affinity -> RendezvousHashing.choose(affinity, List.of("s0", "s2"))
                        .orElseThrow()
                        .equals("s2"));
        for (String affinity : affinities) {
            // Then they all go to s0
            assertThat(allocatedShard(api, affinity)).isEqualTo("s0");
        }
        assertThat(api.shards())
                .extracting(ShardStatus::shard, ShardStatus::connected)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s0", true),
                        org.assertj.core.groups.Tuple.tuple("s2", false));
        assertThat(api.ready()).isTrue();
    }

    @Test
    void brokerRestartFailsInFlightRequestsFastThenTheShardComesBack() throws Exception {
        // Given a node on each shard; the one on s1 is answering a slow read
        AmqpSwitch api = api(twoShards());
        AmqpSwitch backend = backend(twoShards());
        backend.attach(new TestEndpoint("s0", "a"));
        TestEndpoint b = new TestEndpoint("s1", "b").onRead(read -> new CompletableFuture<>());
        backend.attach(b);
        awaitServing(api, "s0", "a");
        awaitServing(api, "s1", "b");
        SessionId onB = new SessionId("s1", "b", "session");
        // its deadline far beyond how long the test waits: an answer in time cannot be the deadline's
        CompletableFuture<SwitchResponse> slowRead = api.forward(onB, readRequest(onB, 1), Duration.ofHours(1));
        String toS1 = affinities(40).stream()
                .filter(affinity -> RendezvousHashing.choose(affinity, List.of("s0", "s1"))
                        .orElseThrow()
                        .equals("s1"))
                .findFirst()
                .orElseThrow();

        // When s1's broker stops
        s1Broker.stop();

        // Then the in-flight read answers UNAVAILABLE at once (the broker is gone), not at its deadline
        SwitchResponse lost = slowRead.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ErrorCode.fromThrift(lost.getError().getCode())).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(lost.getError().getMessage()).doesNotContain("did not answer in time");
        // And new sessions that s1 would win go to s0
        assertThat(allocatedShard(api, toS1)).isEqualTo("s0");

        // When the broker is back
        s1Broker.restart();

        // Then both sides reconnect and the node serves its sessions again. Until the node has redeclared its queue
        // on the fresh broker a request to it answers UNAVAILABLE (retry), never SESSION_LOST: the node and its
        // sessions are alive, and losing them would cost every client of the shard a re-allocation.
        awaitServing(api, "s1", "b");
        SwitchResponse ack = await().atMost(TIMEOUT)
                .until(() -> api.forward(onB, ackRequest(onB, 2), TIMEOUT).get(5, TimeUnit.SECONDS), answer -> {
                    assertThat(
                                    answer.isSetError()
                                            ? ErrorCode.fromThrift(
                                                    answer.getError().getCode())
                                            : null)
                            .as("answer while the node reattaches: %s", answer)
                            .isNotEqualTo(ErrorCode.SESSION_LOST);
                    return answer.isSetAck();
                });
        assertThat(ack.isSetAck()).as("answer: %s", ack).isTrue();
        assertThat(allocatedShard(api, toS1)).isEqualTo("s1");
    }

    private Map<String, URI> twoShards() {
        Map<String, URI> shards = new LinkedHashMap<>();
        shards.put("s0", s0);
        shards.put("s1", s1Broker.uri());
        return shards;
    }

    private AmqpSwitch api(Map<String, URI> shards) {
        AmqpSwitch api = AmqpSwitch.create(config(shards));
        switches.add(api);
        return api;
    }

    private AmqpSwitch backend(Map<String, URI> shards) {
        AmqpSwitch backend = AmqpSwitch.create(config(shards).backendOnly());
        switches.add(0, backend); // closed first, like a backend process stopping before the API's
        return backend;
    }

    private static AmqpSwitchConfig config(Map<String, URI> shards) {
        return AmqpSwitchConfig.of(shards, "api").withHeartbeat(HEARTBEAT);
    }

    private static String allocatedShard(AmqpSwitch api, String affinity) throws Exception {
        SwitchResponse response =
                api.allocate(affinity, allocateRequest(), TIMEOUT).get(15, TimeUnit.SECONDS);
        assertThat(response.isSetAllocate()).as("answer: %s", response).isTrue();
        return SessionId.parse(response.getAllocate().getSessionId()).shard();
    }

    private static void awaitServing(AmqpSwitch api, String shard, String node) {
        await().atMost(TIMEOUT)
                .until(() -> api.shards().stream()
                        .filter(status -> status.shard().equals(shard) && status.connected())
                        .flatMap(status -> status.nodes().stream())
                        .anyMatch(seen -> seen.node().equals(node) && seen.state() == NodeState.SERVING));
    }

    private static List<String> affinities(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "principal-" + i + "/orders")
                .toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
