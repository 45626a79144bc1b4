package dev.switchboard.switching.amqp;

import dev.switchboard.testkit.AmqpExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The AMQP switch contract on the embedded Qpid broker, whatever runs on the machine: the broker a machine
 * without RabbitMQ gets must work as well, and it differs from RabbitMQ in details (it reads {@code expiration}
 * as an absolute time, and nacks an unroutable mandatory message under publisher confirms).
 */
class AmqpSwitchOnQpidContractIT extends AmqpSwitchContract {
    @RegisterExtension
    static final AmqpExtension QPID = AmqpExtension.embedded();

    @Override
    AmqpExtension amqp() {
        return QPID;
    }
}
