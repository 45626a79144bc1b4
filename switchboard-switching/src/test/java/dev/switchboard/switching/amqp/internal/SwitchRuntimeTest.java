package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.core.tls.TrustedCertificates;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SwitchRuntimeTest {
    @Test
    void amqpsUrisGetTlsOnTheirPortOrTheDefaultTlsPort() throws Exception {
        Path pem = Path.of(getClass().getResource("/trusted-ca.pem").toURI());
        try (SwitchRuntime runtime =
                SwitchRuntime.create(Clock.systemUTC(), Optional.of(TrustedCertificates.sslContext(pem)))) {
            ConnectionFactory withPort = runtime.connectionFactory(URI.create("amqps://u:p%40ss@broker-a:5999/sb"));
            assertThat(withPort.isSSL()).isTrue();
            assertThat(withPort.getHost()).isEqualTo("broker-a");
            assertThat(withPort.getPort()).isEqualTo(5999);
            assertThat(withPort.getVirtualHost()).isEqualTo("sb");
            assertThat(withPort.getPassword()).isEqualTo("p@ss");

            ConnectionFactory defaultPort = runtime.connectionFactory(URI.create("amqps://broker-a"));
            assertThat(defaultPort.isSSL()).isTrue();
            assertThat(defaultPort.getPort()).isEqualTo(ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT);

            ConnectionFactory plain = runtime.connectionFactory(URI.create("amqp://broker-a"));
            assertThat(plain.isSSL()).isFalse();
            assertThat(plain.getPort()).isEqualTo(ConnectionFactory.DEFAULT_AMQP_PORT);
        }
    }
}
