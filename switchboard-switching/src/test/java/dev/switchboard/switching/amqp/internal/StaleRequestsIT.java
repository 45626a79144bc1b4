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

            // Then a node that starts consuming afterwards never gets it
            try (AmqpSwitch backend = AmqpSwitch.create(
                    AmqpSwitchConfig.of(Map.of("s0", virtualHost), "backend").backendOnly())) {
                TestEndpoint node = new TestEndpoint("s0", "late");
                backend.attach(node);
                await().during(Duration.ofMillis(500))
                        .atMost(Duration.ofSeconds(2))
                        .until(() -> node.allocations() == 0);
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

            // When an allocation with a 10 s deadline is sent, and a node attaches a little later
            var answer = shard.allocate(TestEndpoint.allocateRequest(), Duration.ofSeconds(10));
            Thread.sleep(300); // the point of the test: the request waits in the broker meanwhile
            TestEndpoint node = new TestEndpoint("s0", "on-time");
            backend.attach(node);

            // Then the node gets it and answers
            assertThat(answer.get(5, TimeUnit.SECONDS).isSetAllocate()).isTrue();
            assertThat(node.allocations()).isEqualTo(1);
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
