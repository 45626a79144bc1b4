package dev.switchboard.client;

import static dev.switchboard.client.HttpHarness.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.api.ApiServer;
import dev.switchboard.api.SelfSignedTls;
import dev.switchboard.client.fake.Fault;
import dev.switchboard.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK over HTTPS: it verifies the server's certificate, and trusts a CA file when given one. */
class TlsIT {
    @TempDir
    Path dir;

    @Test
    void aClientTrustingTheCaFilePublishesAndReadsOverHttps() throws Exception {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1, Optional.of(SelfSignedTls.loadOrCreate(dir)));
                SwitchboardClient client = SwitchboardClient.builder()
                        .urls(harness.apis.stream().map(ApiServer::uri).toList())
                        .trustedCertificates(dir.resolve(SelfSignedTls.CA_PEM))
                        .token("test-token")
                        .build()) {
            assertThat(harness.apis.get(0).uri().getScheme()).isEqualTo("https");
            try (Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(List.of(Event.of("over-tls-1"), Event.of("over-tls-2")));
            }
            List<String> received = new ArrayList<>();
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.size() < 2 && System.nanoTime() < deadline) {
                    Batch batch = subscriber.poll(10, Duration.ofSeconds(1));
                    batch.events().forEach(event -> received.add(event.payloadAsString()));
                    subscriber.ack(batch);
                }
            }
            assertThat(received).containsExactly("over-tls-1", "over-tls-2");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsWithAClearMessage() throws Exception {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1, Optional.of(SelfSignedTls.loadOrCreate(dir)));
                SwitchboardClient client = SwitchboardClient.builder()
                        .url(harness.apis.get(0).uri())
                        .retry(HttpHarness.fastRetries(Duration.ZERO))
                        .token("test-token")
                        .build()) {
            assertThatThrownBy(() -> client.publisher(PublisherOptions.of(TOPIC)))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("trusted");
        }
    }
}
