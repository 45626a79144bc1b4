package dev.switchboard.testkit.internal;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.util.Optional;

/** Asks whether an AMQP 0-9-1 broker answers at a URI and logs in, and which product it is. */
public final class BrokerProbe {
    private static final int TIMEOUT_MILLIS = 1_000;

    private BrokerProbe() {}

    /** The broker's product name (e.g. {@code RabbitMQ}) when it answers and accepts the login; else empty. */
    public static Optional<String> product(URI uri) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setConnectionTimeout(TIMEOUT_MILLIS);
        factory.setHandshakeTimeout(2 * TIMEOUT_MILLIS);
        factory.setAutomaticRecoveryEnabled(false);
        try {
            factory.setUri(uri);
            try (Connection connection = factory.newConnection("switchboard-test-probe")) {
                Object product = connection.getServerProperties().get("product");
                Object version = connection.getServerProperties().get("version");
                return Optional.of(product + (version == null ? "" : " " + version));
            }
        } catch (Exception e) {
            // nothing answers, it is not AMQP, or the login is refused: all mean "not usable"
            return Optional.empty();
        }
    }
}
