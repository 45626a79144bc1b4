package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.testkit.AmqpExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An API node's AMQP consumers are bounded by {@code basic.qos} with manual acks: someone holding the shard broker's
 * credentials who floods its presence exchange (or its reply queue) while the node is slow to take deliveries
 * leaves the flood in the broker, not in the node's heap. Real broker.
 */
class ConsumerPrefetchIT {
    @RegisterExtension
    static final AmqpExtension AMQP_BROKER = new AmqpExtension();

    private static final int FLOOD = 5_000;

    /** A clock that, once held, blocks whoever reads it until released: here, the consumer's dispatch thread. */
    private static final class HeldClock extends Clock {
        final AtomicBoolean held = new AtomicBoolean();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            if (held.get()) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Instant.now();
        }
    }

    @Test
    void aFloodOfPresenceMessagesWhileTheNodeIsSlowWaitsInTheBroker() throws Exception {
        // Given an API node's shard connection whose presence handling (and probing) blocks once the test holds its
        // clock
        URI virtualHost = AMQP_BROKER.newVirtualHost();
        HeldClock clock = new HeldClock();
        PresenceTracker presence = new PresenceTracker(clock, Duration.ofSeconds(30));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(virtualHost);
        try (SwitchRuntime runtime = SwitchRuntime.create(clock); // held too: the node's own probes stop
                ApiShard shard = new ApiShard(
                        "s0",
                        virtualHost,
                        "prefetch-test",
                        "switchboard.reply.prefetch-test",
                        presence,
                        runtime,
                        new SimpleMeterRegistry());
                Connection flooder = factory.newConnection();
                Channel channel = flooder.createChannel()) {
            shard.connect();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> presence.probedUpTo("s0").isPresent());
            clock.held.set(true);
            try {
                // When someone with the broker's credentials floods the presence exchange with probes
                Topology.declareExchanges(channel);
                channel.confirmSelect();
                AMQP.BasicProperties probe = new AMQP.BasicProperties.Builder()
                        .type(Topology.PROBE_TYPE)
                        .build();
                byte[] body = Topology.probeBody(Instant.now());
                for (int i = 0; i < FLOOD; i++) {
                    channel.basicPublish(Topology.PRESENCE_EXCHANGE, "", probe, body);
                }
                channel.waitForConfirmsOrDie(30_000);

                // Then the broker pushes the node at most its prefetch (the first delivery blocks the node's consumer)
                // and the rest wait in the broker; with autoAck it would push all of them into the node's memory
                await().atMost(Duration.ofSeconds(30))
                        // deliveries not yet acked from before the flood (fewer than ACK_EVERY) hold prefetch slots
                        .until(() ->
                                shard.presenceBacklog() <= FLOOD - ApiShard.BEAT_PREFETCH + ApiShard.ACK_EVERY + 2);
                assertThat(shard.presenceBacklog()).isGreaterThanOrEqualTo(FLOOD - ApiShard.BEAT_PREFETCH);
            } finally {
                clock.held.set(false);
                clock.release.countDown();
            }

            // And once the node takes deliveries again, it drains the flood (acks free its prefetch)
            await().atMost(Duration.ofSeconds(60)).until(() -> shard.presenceBacklog() == 0);
        }
    }
}
