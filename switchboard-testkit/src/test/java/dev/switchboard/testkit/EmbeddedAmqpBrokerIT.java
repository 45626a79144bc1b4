package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class EmbeddedAmqpBrokerIT {
    @Test
    void stopsAndRestartsOnTheSamePort() throws Exception {
        // Given a running embedded broker with a client connected
        try (EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start()) {
            int port = broker.port();
            Connection connection = AmqpBrokerContract.connect(broker.uri());

            // When it stops
            broker.stop();

            // Then the client's connection is gone and no new one is accepted
            assertThat(broker.isRunning()).isFalse();
            assertThat(connection.isOpen()).isFalse();
            assertThatThrownBy(() -> AmqpBrokerContract.connect(broker.uri())).isInstanceOf(IOException.class);

            // And when it restarts, it answers on the same port again
            broker.restart();
            assertThat(broker.port()).isEqualTo(port);
            try (Connection again = AmqpBrokerContract.connect(broker.uri())) {
                assertThat(again.isOpen()).isTrue();
            }
        }
    }
}
