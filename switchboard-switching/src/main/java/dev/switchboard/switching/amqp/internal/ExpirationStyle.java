package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * How a broker reads the AMQP 0-9-1 {@code expiration} message property. RabbitMQ reads it as a time to live in
 * milliseconds, as the 0-9-1 specification intends; Apache Qpid Broker-J reads it as an absolute time in epoch
 * milliseconds (the convention of its old 0-8 JMS client), so a relative value makes a message expire at once.
 * The style is chosen per connection from the broker's {@code product} server property.
 */
enum ExpirationStyle {
    RELATIVE {
        @Override
        String encode(Duration remaining, Clock clock) {
            return Long.toString(Math.max(1, remaining.toMillis()));
        }

        @Override
        Duration remaining(long value, Clock clock) {
            return Duration.ofMillis(value);
        }
    },
    ABSOLUTE {
        @Override
        String encode(Duration remaining, Clock clock) {
            return Long.toString(clock.millis() + Math.max(1, remaining.toMillis()));
        }

        @Override
        Duration remaining(long value, Clock clock) {
            return Duration.ofMillis(value - clock.millis());
        }
    };

    /** The property value for a message that must die after {@code remaining}. */
    abstract String encode(Duration remaining, Clock clock);

    /** How long a message carrying {@code value} has left to live. */
    abstract Duration remaining(long value, Clock clock);

    static ExpirationStyle of(Connection connection) {
        Object product = connection.getServerProperties().get("product");
        return product != null && product.toString().toLowerCase(Locale.ROOT).contains("qpid") ? ABSOLUTE : RELATIVE;
    }
}
