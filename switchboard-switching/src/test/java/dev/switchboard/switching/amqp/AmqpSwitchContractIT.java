package dev.switchboard.switching.amqp;

import dev.switchboard.testkit.AmqpExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The AMQP switch contract on the broker {@link AmqpExtension} chooses: the machine's RabbitMQ when it runs (or
 * {@code $SWITCHBOARD_TEST_AMQP_URI}), else embedded Qpid.
 */
class AmqpSwitchContractIT extends AmqpSwitchContract {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @Override
    AmqpExtension amqp() {
        return AMQP;
    }
}
