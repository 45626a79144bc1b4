package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Return;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The AMQP 0-9-1 features the switch relies on, checked against whichever broker a subclass's extension gives:
 * isolated virtual hosts, exclusive queues, direct routing, mandatory returns and per-message expiration.
 */
abstract class AmqpBrokerContract {
    abstract AmqpExtension amqp();

    @Test
    void virtualHostsAreIsolated() throws Exception {
        // Given two fresh virtual hosts
        URI first = amqp().newVirtualHost();
        URI second = amqp().newVirtualHost();
        try (Connection a = connect(first);
                Connection b = connect(second)) {
            // When a queue is declared in the first
            a.createChannel().queueDeclare("contract.only-here", false, false, true, null);

            // Then the second does not know it
            Channel other = b.createChannel();
            assertThatThrownBy(() -> other.queueDeclarePassive("contract.only-here"))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void directExchangeRoutesToTheBoundExclusiveQueue() throws Exception {
        // Given an exclusive queue bound to a direct exchange with key "n1"
        try (Connection connection = connect(amqp().newVirtualHost())) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare("contract.nodes", BuiltinExchangeType.DIRECT, false, false, null);
            channel.queueDeclare("contract.node.n1", false, true, true, null);
            channel.queueBind("contract.node.n1", "contract.nodes", "n1");

            // When a message is published with key "n1"
            channel.basicPublish("contract.nodes", "n1", true, null, bytes("hello"));

            // Then it lands in that queue
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(channel.basicGet("contract.node.n1", true))
                            .isNotNull()
                            .satisfies(got -> assertThat(got.getBody()).isEqualTo(bytes("hello"))));
        }
    }

    @Test
    void unroutableMandatoryMessageComesBack() throws Exception {
        // Given a direct exchange with no queue bound for key "gone"
        try (Connection connection = connect(amqp().newVirtualHost())) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare("contract.nodes", BuiltinExchangeType.DIRECT, false, false, null);
            CompletableFuture<Return> returned = new CompletableFuture<>();
            channel.addReturnListener(returned::complete);

            // When a mandatory message is published with that key
            AMQP.BasicProperties properties =
                    new AMQP.BasicProperties.Builder().correlationId("c-1").build();
            channel.basicPublish("contract.nodes", "gone", true, properties, bytes("anyone?"));

            // Then the broker returns it, with its properties, at once
            Return back = returned.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(back.getRoutingKey()).isEqualTo("gone");
            assertThat(back.getProperties().getCorrelationId()).isEqualTo("c-1");
        }
    }

    @Test
    void expiredMessageIsDroppedAndALiveOneKept() throws Exception {
        // Given a queue without consumers
        try (Connection connection = connect(amqp().newVirtualHost())) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("contract.alloc", false, false, false, null);

            // When a message that expires in 50 ms and one that expires in a minute wait there
            channel.basicPublish(
                    "", "contract.alloc", true, expiringIn(connection, Duration.ofMillis(50)), bytes("stale"));
            channel.basicPublish(
                    "", "contract.alloc", true, expiringIn(connection, Duration.ofMinutes(1)), bytes("live"));

            // Then, once the first has expired, only the live one is there to get
            await().pollDelay(Duration.ofMillis(200))
                    .atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(channel.basicGet("contract.alloc", true))
                            .isNotNull()
                            .satisfies(got -> assertThat(got.getBody()).isEqualTo(bytes("live"))));
            assertThat(channel.basicGet("contract.alloc", true)).isNull();
        }
    }

    /**
     * An expiration property: RabbitMQ reads it as a time to live in milliseconds (as AMQP 0-9-1 intends), Qpid
     * Broker-J as an absolute time in epoch milliseconds, so a relative value expires at once there.
     */
    private static AMQP.BasicProperties expiringIn(Connection connection, Duration ttl) {
        boolean qpid = String.valueOf(connection.getServerProperties().get("product"))
                .toLowerCase(Locale.ROOT)
                .contains("qpid");
        long value = qpid ? System.currentTimeMillis() + ttl.toMillis() : ttl.toMillis();
        return new AMQP.BasicProperties.Builder()
                .expiration(Long.toString(value))
                .build();
    }

    static Connection connect(URI uri) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        return factory.newConnection();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
