package dev.switchboard.testkit;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker features the switch relies on, on the broker the extension chooses (RabbitMQ on our machines). */
class AmqpExtensionIT extends AmqpBrokerContract {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @Override
    AmqpExtension amqp() {
        return AMQP;
    }
}
