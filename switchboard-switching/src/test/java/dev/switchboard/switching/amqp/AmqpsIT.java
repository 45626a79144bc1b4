package dev.switchboard.switching.amqp;

import static dev.switchboard.switching.TestEndpoint.ackRequest;
import static dev.switchboard.switching.TestEndpoint.allocateRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.core.tls.TrustedCertificates;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.switching.amqp.internal.SwitchRuntime;
import dev.switchboard.testkit.EmbeddedAmqpBroker;
import dev.switchboard.testkit.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMQP switch over TLS to a shard broker (embedded Qpid with a self-signed certificate for localhost): a
 * switch trusting that certificate carries requests both ways; one trusting the JVM defaults or another CA
 * never connects, and its shard says so.
 */
class AmqpsIT {
    private static final String SHARD = "s0";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);

    @TempDir
    static Path dir;

    private static SelfSignedCertificate brokerCertificate;
    private static SelfSignedCertificate otherCa;
    private static EmbeddedAmqpBroker broker;

    @BeforeAll
    static void startBroker() {
        // For localhost only: connecting to 127.0.0.1 must fail host name verification.
        brokerCertificate = SelfSignedCertificate.create(dir, "broker", "dns:localhost");
        otherCa = SelfSignedCertificate.create(dir, "other");
        broker = EmbeddedAmqpBroker.startWithTls(brokerCertificate);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aSwitchTrustingTheBrokersCertificateCarriesRequestsOverTls() throws Exception {
        // Given an API node and a backend node that reach the shard over amqps, trusting the broker's certificate
        AmqpSwitchConfig config =
                config(broker.amqpsUri(), "api-tls").withTrustedCertificates(brokerCertificate.certificatePem());
        try (AmqpSwitch api = AmqpSwitch.create(config);
                AmqpSwitch backend = AmqpSwitch.create(config.backendOnly())) {
            TestEndpoint node = new TestEndpoint(SHARD, "node-tls");
            backend.attach(node);
            await().atMost(TIMEOUT).until(api::ready);

            // When a session is allocated and a request of it forwarded
            SwitchResponse allocated = answer(api.allocate("principal/orders", allocateRequest(), TIMEOUT));
            SessionId session = SessionId.parse(allocated.getAllocate().getSessionId());
            SwitchResponse acked = answer(api.forward(session, ackRequest(session, 4), TIMEOUT));

            // Then both went through the broker to the node and back
            assertThat(session.node()).isEqualTo("node-tls");
            assertThat(node.allocations()).isEqualTo(1);
            assertThat(acked.getAck().getCursor()).isEqualTo("node-tls");
            assertThat(acked.getAck().getSeq()).isEqualTo(4);
        }
    }

    @Test
    void aSwitchTrustingTheJvmDefaultsOrAnotherCaNeverConnects() throws Exception {
        // Given a backend node serving the shard over a trusted connection
        AmqpSwitchConfig trusting =
                config(broker.amqpsUri(), "api-trusting").withTrustedCertificates(brokerCertificate.certificatePem());
        try (AmqpSwitch backend = AmqpSwitch.create(trusting.backendOnly());
                AmqpSwitch trustingApi = AmqpSwitch.create(trusting);
                // and API nodes that trust the JVM's default trust store, or another CA
                AmqpSwitch defaultsApi = AmqpSwitch.create(config(broker.amqpsUri(), "api-defaults"));
                AmqpSwitch otherCaApi = AmqpSwitch.create(
                        config(broker.amqpsUri(), "api-other").withTrustedCertificates(otherCa.certificatePem()))) {
            backend.attach(new TestEndpoint(SHARD, "node-serving"));
            await().atMost(TIMEOUT).until(trustingApi::ready); // the broker and the node are there

            // Then the others' shard is not connected, and allocate answers UNAVAILABLE
            for (AmqpSwitch untrusting : new AmqpSwitch[] {defaultsApi, otherCaApi}) {
                assertThat(untrusting.shards()).singleElement().satisfies(shard -> {
                    assertThat(shard.connected()).isFalse();
                    assertThat(shard.takesSessions()).isFalse();
                });
                assertThat(untrusting.ready()).isFalse();
                SwitchResponse response = answer(untrusting.allocate("principal/orders", allocateRequest(), TIMEOUT));
                assertThat(response.isSetError()).as("answer: %s", response).isTrue();
                assertThat(ErrorCode.fromThrift(response.getError().getCode())).isEqualTo(ErrorCode.UNAVAILABLE);
            }
        }
    }

    @Test
    void theHandshakeFailureSaysTheCertificateIsNotTrusted() {
        // Given connections that trust another CA, and the JVM defaults
        URI uri = broker.amqpsUri();
        try (SwitchRuntime otherCaRuntime = SwitchRuntime.create(
                        Clock.systemUTC(), Optional.of(TrustedCertificates.sslContext(otherCa.certificatePem())));
                SwitchRuntime defaultsRuntime = SwitchRuntime.create(Clock.systemUTC())) {
            for (SwitchRuntime runtime : new SwitchRuntime[] {otherCaRuntime, defaultsRuntime}) {
                // When one is opened, then the TLS handshake fails because the broker's certificate is not trusted
                assertThatThrownBy(() -> {
                            try (Connection connection =
                                    runtime.connectionFactory(uri).newConnection()) {
                                assertThat(connection.isOpen()).isFalse();
                            }
                        })
                        .isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("PKIX path building failed");
            }
        }
    }

    @Test
    void aTrustedCertificateForAnotherHostNameIsRefused() throws Exception {
        // Given a switch trusting the broker's certificate (made for localhost) but reaching it as 127.0.0.1
        URI byAddress = URI.create("amqps://guest:guest@127.0.0.1:" + broker.tlsPort());
        AmqpSwitchConfig config =
                config(byAddress, "api-address").withTrustedCertificates(brokerCertificate.certificatePem());
        try (AmqpSwitch api = AmqpSwitch.create(config)) {
            // Then it never connects
            assertThat(api.shards())
                    .singleElement()
                    .satisfies(shard -> assertThat(shard.connected()).isFalse());
        }

        // And the handshake says the name does not match
        try (SwitchRuntime runtime = SwitchRuntime.create(
                Clock.systemUTC(), Optional.of(TrustedCertificates.sslContext(brokerCertificate.certificatePem())))) {
            assertThatThrownBy(() -> runtime.connectionFactory(byAddress).newConnection())
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
        }
    }

    private static AmqpSwitchConfig config(URI uri, String nodeId) {
        return AmqpSwitchConfig.of(Map.of(SHARD, uri), nodeId).withHeartbeat(HEARTBEAT);
    }

    private static SwitchResponse answer(java.util.concurrent.CompletableFuture<SwitchResponse> future)
            throws Exception {
        return future.get(TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    }
}
