package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same features on the embedded Qpid broker, which a machine without RabbitMQ gets. */
class EmbeddedAmqpExtensionIT extends AmqpBrokerContract {
    @RegisterExtension
    static final AmqpExtension AMQP = AmqpExtension.embedded();

    @Override
    AmqpExtension amqp() {
        return AMQP;
    }

    @Test
    void isTheEmbeddedBroker() {
        assertThat(AMQP.isEmbedded()).isTrue();
        assertThat(AMQP.description()).startsWith("embedded Qpid Broker-J at 127.0.0.1:");
    }
}
