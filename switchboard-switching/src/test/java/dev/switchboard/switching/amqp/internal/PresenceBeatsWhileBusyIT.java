package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.switching.amqp.AmqpSwitch;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import dev.switchboard.testkit.AmqpExtension;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backend node beats while its virtual threads have no carrier to run on. On a node capped at a fraction of a core
 * (one carrier), a beat sent from a virtual thread queued behind every request the node held, and API nodes took a
 * busy node for gone (the scaling bench's re-allocations); the beats have a platform thread of their own.
 */
class PresenceBeatsWhileBusyIT {
    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    /** Beats that must arrive while every carrier is busy: one may have been on its way before. */
    private static final int BEATS_WHILE_BUSY = 2;

    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @Test
    void aNodeKeepsBeatingWhileEveryVirtualThreadCarrierIsBusy() throws Exception {
        // Given a listener on the shard's presence exchange (platform threads: the client library's defaults) and a
        // backend node that beats every 100 ms
        URI virtualHost = AMQP.newVirtualHost();
        AtomicLong beats = new AtomicLong();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(virtualHost);
        try (Connection listener = factory.newConnection();
                Channel channel = listener.createChannel();
                AmqpSwitch backend = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", virtualHost), "backend")
                        .withHeartbeat(HEARTBEAT)
                        .backendOnly())) {
            Topology.declareExchanges(channel);
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, Topology.PRESENCE_EXCHANGE, "");
            channel.basicConsume(
                    queue,
                    true,
                    (tag, delivery) -> {
                        if (new String(delivery.getBody(), StandardCharsets.UTF_8).contains("node=busy;")) {
                            beats.incrementAndGet();
                        }
                    },
                    tag -> {});
            backend.attach(new TestEndpoint("s0", "busy"));
            await().atMost(Duration.ofSeconds(20)).until(() -> beats.get() > 0);

            // When every carrier of the virtual threads is taken by a task that never yields (as the requests of a
            // node capped at a fraction of a core take its one carrier)
            int carriers = Integer.getInteger(
                    "jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors());
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch busy = new CountDownLatch(carriers);
            List<Thread> spinners = new ArrayList<>();
            try {
                for (int i = 0; i < carriers; i++) {
                    spinners.add(Thread.ofVirtual().start(() -> {
                        busy.countDown();
                        while (!release.get()) {
                            Thread.onSpinWait();
                        }
                    }));
                }
                assertThat(busy.await(20, TimeUnit.SECONDS)).isTrue();
                long before = beats.get();
                // Then its beats still go out (from a virtual thread none would until the carriers were free); at
                // most 10 s, a generous bound: the node beats every 100 ms
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .untilAsserted(() -> assertThat(beats.get() - before)
                                .as("beats while every carrier is busy")
                                .isGreaterThanOrEqualTo(BEATS_WHILE_BUSY));
            } finally {
                release.set(true);
                for (Thread spinner : spinners) {
                    spinner.join();
                }
            }
        }
    }
}
