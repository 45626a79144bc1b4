package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testkit.internal.ExternalBroker;
import dev.switchboard.testkit.internal.TestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the extension picks a broker, including the paths a machine without RabbitMQ (or without root) takes. */
class AmqpBrokerChoiceIT {
    @Test
    void nothingAnsweringLocallyMeansTheEmbeddedBroker() throws Exception {
        // Given nothing listens where RabbitMQ would be
        URI nobody = URI.create("amqp://guest:guest@127.0.0.1:" + freePort());

        // When the broker is chosen without configuration
        TestBroker broker = AmqpExtension.choose(Optional.empty(), nobody);

        // Then it is the embedded one
        assertThat(broker).isSameAs(AmqpExtension.embeddedBroker());
        assertThat(broker.description()).startsWith("embedded Qpid Broker-J");
    }

    @Test
    void embeddedCanBeForcedByConfiguration() {
        assertThat(AmqpExtension.choose(Optional.of(AmqpExtension.EMBEDDED), AmqpExtension.LOCAL_RABBITMQ))
                .isSameAs(AmqpExtension.embeddedBroker());
    }

    @Test
    void configuredBrokerThatDoesNotAnswerIsAnErrorNotASilentFallback() throws Exception {
        Optional<String> configured = Optional.of("amqp://guest:guest@127.0.0.1:" + freePort());

        assertThatThrownBy(() -> AmqpExtension.choose(configured, AmqpExtension.LOCAL_RABBITMQ))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(AmqpExtension.URI_VARIABLE);
    }

    @Test
    void withoutRabbitmqctlVirtualHostsComeFromTheEmbeddedBroker() throws Exception {
        // Given an external broker on which this user cannot create virtual hosts
        TestBroker embedded = AmqpExtension.embeddedBroker();
        ExternalBroker external = new ExternalBroker(
                URI.create("amqp://guest:guest@127.0.0.1:5672"), "RabbitMQ", Optional.empty(), () -> embedded);

        // When a virtual host is asked for
        URI virtualHost = external.createVirtualHost("choice-test");

        // Then it is made on the embedded broker, and works
        assertThat(virtualHost.getPort()).isEqualTo(embedded.uri().getPort());
        try (var connection = AmqpBrokerContract.connect(virtualHost)) {
            assertThat(connection.isOpen()).isTrue();
        }
        external.deleteVirtualHost("choice-test");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
