package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.switching.amqp.AmqpSwitch;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import dev.switchboard.testkit.AmqpExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request whose deadline passed dies in the broker instead of running late: the {@code expiration} the switch
 * writes must mean "the remaining deadline" to each broker (RabbitMQ reads a time to live, Qpid an epoch time).
 */
class StaleRequestsIT {
    @RegisterExtension
    static final AmqpExtension CHOSEN = new AmqpExtension();

    @RegisterExtension
    static final AmqpExtension QPID = AmqpExtension.embedded();

    static Stream<AmqpExtension> brokers() {
        return Stream.of(CHOSEN, QPID);
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void allocationWaitingPastItsDeadlineNeverReachesANode(AmqpExtension broker) throws Exception {
        // Given a shard whose allocation queue exists but has no consumer
        URI virtualHost = broker.newVirtualHost();
        declareAllocationQueue(virtualHost);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (SwitchRuntime runtime = SwitchRuntime.create(Clock.systemUTC());
                ApiShard shard = new ApiShard(
                        "s0",
                        virtualHost,
                        "stale-test",
                        "switchboard.reply.stale-test",
                        new PresenceTracker(runtime.clock()),
                        runtime,
                        meters)) {
            shard.connect();

            // When an allocation waits there past its 200 ms deadline
            SwitchResponse answer = shard.allocate(TestEndpoint.allocateRequest(), Duration.ofMillis(200))
                    .get(5, TimeUnit.SECONDS);
            assertThat(ErrorCode.fromThrift(answer.getError().getCode())).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(meters.get("switchboard.switch.requests")
                            .tags("shard", "s0", "outcome", "timeout")
                            .counter()
                            .count())
                    .isEqualTo(1.0);

            // Then a node that starts consuming afterwards never gets it: the queue is first in, first out, so when
            // the node answers an allocation sent after the stale one, it would have had the stale one first
            try (AmqpSwitch backend = AmqpSwitch.create(
                    AmqpSwitchConfig.of(Map.of("s0", virtualHost), "backend").backendOnly())) {
                TestEndpoint node = new TestEndpoint("s0", "late");
                backend.attach(node);
                SwitchResponse fresh = shard.allocate(TestEndpoint.allocateRequest(), Duration.ofSeconds(30))
                        .get(30, TimeUnit.SECONDS);
                assertThat(fresh.isSetAllocate()).as("answer: %s", fresh).isTrue();
                assertThat(node.allocations()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void allocationWithinItsDeadlineWaitsForANode(AmqpExtension broker) throws Exception {
        // Given a shard whose allocation queue exists but has no consumer yet
        URI virtualHost = broker.newVirtualHost();
        declareAllocationQueue(virtualHost);
        try (SwitchRuntime runtime = SwitchRuntime.create(Clock.systemUTC());
                ApiShard shard = new ApiShard(
                        "s0",
                        virtualHost,
                        "live-test",
                        "switchboard.reply.live-test",
                        new PresenceTracker(runtime.clock()),
                        runtime,
                        new SimpleMeterRegistry());
                AmqpSwitch backend = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", virtualHost), "backend")
                        .backendOnly())) {
            shard.connect();

            // When an allocation with a 10 s deadline is sent, and a node attaches once it waits in the broker
            var answer = shard.allocate(TestEndpoint.allocateRequest(), Duration.ofSeconds(10));
            await().until(() -> waitingAllocations(virtualHost) == 1);
            TestEndpoint node = new TestEndpoint("s0", "on-time");
            backend.attach(node);

            // Then the node gets it and answers
            assertThat(answer.get(5, TimeUnit.SECONDS).isSetAllocate()).isTrue();
            assertThat(node.allocations()).isEqualTo(1);
        }
    }

    /** How many allocations wait in the shard's allocation queue, as its broker counts them. */
    private static long waitingAllocations(URI virtualHost) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(virtualHost);
        try (Connection connection = factory.newConnection();
                Channel channel = connection.createChannel()) {
            return channel.messageCount(Topology.ALLOCATION_QUEUE);
        }
    }

    private static void declareAllocationQueue(URI virtualHost) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(virtualHost);
        try (Connection connection = factory.newConnection();
                Channel channel = connection.createChannel()) {
            Topology.declareAllocationQueue(channel);
        }
    }
}
