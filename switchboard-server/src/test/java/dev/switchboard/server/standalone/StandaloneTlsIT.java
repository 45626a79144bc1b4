package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.api.SelfSignedTls;
import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code standalone --tls-self-signed}: HTTPS with a certificate clients trust through {@code tls/ca.pem}. */
class StandaloneTlsIT {
    @TempDir
    Path dataDir;

    @Test
    void selfSignedHttpsWorksForAClientThatTrustsTheWrittenCaFile() throws Exception {
        List<String> received = new ArrayList<>();
        try (Standalone standalone = Standalone.start(dataDir, 0, true);
                SwitchboardClient client = SwitchboardClient.builder()
                        .url(standalone.uri())
                        .token(Files.readString(dataDir.resolve("dev-token")).strip())
                        .trustedCertificates(dataDir.resolve("tls").resolve(SelfSignedTls.CA_PEM))
                        .build()) {
            assertThat(standalone.uri().getScheme()).isEqualTo("https");
            try (Publisher publisher = client.publisher(PublisherOptions.of("tls-demo"))) {
                publisher.publish(List.of(Event.of("hello over https")));
            }
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of("tls-demo"))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    Batch batch = subscriber.poll(10, Duration.ofSeconds(1));
                    batch.events().forEach(event -> received.add(event.payloadAsString()));
                    subscriber.ack(batch);
                }
            }
        }
        assertThat(received).containsExactly("hello over https");
    }
}
