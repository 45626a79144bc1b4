package dev.switchboard.switching.amqp;

import static org.awaitility.Awaitility.await;

import dev.switchboard.switching.Switch;
import dev.switchboard.switching.SwitchContractTest;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.testkit.AmqpExtension;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The AMQP switch against the switch contract, on the broker a subclass's {@link AmqpExtension} gives. API side
 * and backend nodes are separate switches with their own connections, as in separate processes; each test
 * class gets a virtual host of its own.
 */
abstract class AmqpSwitchContract extends SwitchContractTest {
    static final String SHARD = "s0";
    static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static URI virtualHost;

    private AmqpSwitch api;
    private AmqpSwitch backend;

    /** The broker of these tests. */
    abstract AmqpExtension amqp();

    @BeforeAll
    static void resetVirtualHost() {
        virtualHost = null;
    }

    @BeforeEach
    void open() {
        if (virtualHost == null) {
            virtualHost = amqp().newVirtualHost();
        }
        AmqpSwitchConfig config = AmqpSwitchConfig.of(Map.of(SHARD, virtualHost), "api-" + nextNodeId())
                .withHeartbeat(HEARTBEAT);
        api = AmqpSwitch.create(config);
        backend = AmqpSwitch.create(config.backendOnly());
    }

    @AfterEach
    void close() {
        backend.close();
        api.close();
    }

    @Override
    protected Switch api() {
        return api;
    }

    @Override
    protected Switch backend() {
        return backend;
    }

    @Override
    protected String shard() {
        return SHARD;
    }

    @Override
    protected void awaitServing(TestEndpoint node) {
        awaitState(node, NodeState.SERVING);
    }

    @Override
    protected void awaitDraining(TestEndpoint node) {
        awaitState(node, NodeState.DRAINING);
    }

    @Override
    protected void awaitKafkaReachable(TestEndpoint node, boolean reachable) {
        await().atMost(TIMEOUT)
                .until(() -> api.shards().stream()
                        .flatMap(shard -> shard.nodes().stream())
                        .anyMatch(seen -> seen.node().equals(node.nodeId()) && seen.kafkaReachable() == reachable));
    }

    private void awaitState(TestEndpoint node, NodeState state) {
        await().atMost(TIMEOUT)
                .until(() -> api.shards().stream()
                        .flatMap(shard -> shard.nodes().stream())
                        .anyMatch(seen -> seen.node().equals(node.nodeId()) && seen.state() == state));
    }
}
