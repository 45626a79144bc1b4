package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.switching.amqp.AmqpSwitch;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.testkit.AmqpExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An API node judges a backend node's silence by its own probes read back through the shard's presence queue, not
 * by its clock: a starved API node reads beats late, and must not take that for the node's silence (at a tenth of
 * a core, API nodes of the scaling bench declared live nodes gone and failed their requests SESSION_LOST).
 */
class PresenceProbesIT {
    private static final Duration HEARTBEAT = Duration.ofMillis(100);

    @RegisterExtension
    static final AmqpExtension CHOSEN = new AmqpExtension();

    @RegisterExtension
    static final AmqpExtension QPID = AmqpExtension.embedded();

    static Stream<AmqpExtension> brokers() {
        return Stream.of(CHOSEN, QPID);
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void aBeatingNodeStaysLiveWhileTheApiNodesClockRunsAheadOfWhatItHasRead(AmqpExtension broker) throws Exception {
        // Given an API side whose clock gains ten seconds each time it is read (as a reader that falls further and
        // further behind sees it), and a node that beats every 100 ms
        URI virtualHost = broker.newVirtualHost();
        PresenceTracker presence = new PresenceTracker(new RunningAhead(), PresenceTracker.DEFAULT_TIMEOUT);
        try (SwitchRuntime runtime = SwitchRuntime.create(Clock.systemUTC());
                ApiShard shard = apiShard(virtualHost, presence, runtime);
                AmqpSwitch backend = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", virtualHost), "backend")
                        .withHeartbeat(HEARTBEAT)
                        .backendOnly())) {
            shard.connect();
            backend.attach(new TestEndpoint("s0", "beating"));

            // When the probes come back through the queue
            await().atMost(Duration.ofSeconds(20)).until(() -> presence.isLive("s0", "beating"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> presence.probedUpTo("s0").isPresent());

            // Then the node stays live, however far the clock has run (by a clock, it would be gone at once)
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> presence.isLive("s0", "beating"));
        }
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void aNodeThatFallsSilentIsGoneOnceTheProbesSentAfterItsLastBeatComeBack(AmqpExtension broker) throws Exception {
        // Given an API side whose clock never moves (only the probes can tell it time passes)
        URI virtualHost = broker.newVirtualHost();
        PresenceTracker presence = new PresenceTracker(
                Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC), Duration.ofMillis(100));
        try (SwitchRuntime runtime = SwitchRuntime.create(Clock.systemUTC());
                ApiShard shard = apiShard(virtualHost, presence, runtime)) {
            shard.connect();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> presence.probedUpTo("s0").isPresent());

            // When a node beats once (every second, it says) and then never again
            beatOnce(virtualHost, "ghost");
            await().atMost(Duration.ofSeconds(20)).until(() -> presence.isLive("s0", "ghost"));

            // Then it is gone once the probes sent later than three of its intervals have come back
            await().atMost(Duration.ofSeconds(20)).until(() -> !presence.isLive("s0", "ghost"));
            assertThat(presence.nodes("s0")).isEmpty();
        }
    }

    private static ApiShard apiShard(URI virtualHost, PresenceTracker presence, SwitchRuntime runtime) {
        return new ApiShard(
                "s0",
                virtualHost,
                "probe-test",
                "switchboard.reply.probe-test",
                presence,
                runtime,
                new SimpleMeterRegistry());
    }

    private static void beatOnce(URI virtualHost, String node) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(virtualHost);
        try (Connection connection = factory.newConnection();
                Channel channel = connection.createChannel()) {
            Topology.declareExchanges(channel);
            // a one-second interval: live for three seconds of probes, long enough to be seen live first
            Presence beat = new Presence(
                    "s0", node, NodeState.SERVING, OptionalInt.of(0), 0, Duration.ofSeconds(1), "test", true);
            channel.basicPublish(
                    Topology.PRESENCE_EXCHANGE,
                    "",
                    false,
                    Topology.presenceProperties(
                            ExpirationStyle.of(connection).encode(Duration.ofSeconds(10), Clock.systemUTC())),
                    beat.encode());
        }
    }

    /** A clock that is ten seconds further ahead of the real time each time it is read. */
    private static final class RunningAhead extends Clock {
        private final AtomicLong ahead = new AtomicLong();

        @Override
        public Instant instant() {
            return Instant.now().plusSeconds(10 * ahead.incrementAndGet());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
