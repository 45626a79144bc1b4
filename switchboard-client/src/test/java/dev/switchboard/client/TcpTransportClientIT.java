package dev.switchboard.client;

import static dev.switchboard.client.HttpHarness.TOPIC;
import static dev.switchboard.client.HttpHarness.fastRetries;
import static dev.switchboard.client.SwitchboardClientIT.events;
import static dev.switchboard.client.SwitchboardClientIT.freePort;
import static dev.switchboard.client.SwitchboardClientIT.payloads;
import static dev.switchboard.client.SwitchboardClientIT.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.api.SelfSignedTls;
import dev.switchboard.client.fake.Fault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK over the API's binary TCP port ({@code sb://}, {@code sbs://}): real sockets, real API nodes with request
 * MACs on, the local switch and the fake backend node.
 */
class TcpTransportClientIT {
    @TempDir
    Path dir;

    @Test
    void manySessionsShareOneConnectionAndLoseNothingWhenTheBackendIsFlaky() {
        // given a backend that refuses or loses the answer of 25% of the session calls, reached over sb://
        try (HttpHarness harness = new HttpHarness(Fault.Plan.random(7, 0.25), 1);
                SwitchboardClient client = harness.client(fastRetries(Duration.ofMinutes(1)), harness.tcpUrls());
                Publisher publisher = client.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
            assertThat(harness.tcpUrls().getFirst().getScheme()).isEqualTo("sb");
            // when publishing 150 events as three chunks in flight at once and reading them back
            List<CompletableFuture<PublishResult>> futures = List.of(
                    publisher.publishAsync(events("a", 50, 0)),
                    publisher.publishAsync(events("b", 50, 3000)),
                    publisher.publishAsync(events("c", 50, 0)));
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            List<ReceivedEvent> received = readAll(subscriber, 150);

            // then each event is stored and read once, in order, and each chunk was staged once
            List<String> expected = new ArrayList<>(payloads("a", 50, 0));
            expected.addAll(payloads("b", 50, 3000));
            expected.addAll(payloads("c", 50, 0));
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
            assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(expected);
            assertThat(harness.kafka.stagings())
                    .isNotEmpty()
                    .allSatisfy((chunk, times) ->
                            assertThat(times).as("stagings of chunk %s", chunk).isEqualTo(1));
        }
    }

    @Test
    void compressibleEventsTravelAsLz4BothWaysOverTcp() {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1);
                SwitchboardClient client = harness.client(fastRetries(Duration.ofMinutes(1)), harness.tcpUrls());
                Publisher publisher = client.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
            // when publishing compressible events in chunks over the LZ4 threshold and reading them back over sb://
            publisher.publish(events("t", 100, 1000));
            List<ReceivedEvent> received = readAll(subscriber, 100);

            // then they arrive intact, and HELLO agreed on LZ4: compressed calls in, compressed replies out
            assertThat(received)
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("t", 100, 1000));
            assertThat(harness.apis.getFirst().counters().lz4Requests()).isPositive();
            assertThat(harness.apis.getFirst().counters().lz4Replies()).isPositive();
        }
    }

    @Test
    void theClientFailsOverBetweenTcpAndHttpNodes() throws Exception {
        // given a dead sb:// URL, then node 0 over TCP, then node 1 over HTTP
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 2)) {
            URI nobody = URI.create("sb://127.0.0.1:" + freePort());
            List<URI> urls = List.of(
                    nobody, harness.tcpUrls().get(0), harness.apis.get(1).uri());
            try (SwitchboardClient client = harness.client(fastRetries(Duration.ofSeconds(30)), urls);
                    Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("before", 10, 0));

                // when the node reached over TCP stops
                harness.apis.get(0).close();

                // then the HTTP node carries on the same sessions
                publisher.publish(events("after", 10, 0));
                try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
                    List<String> expected = new ArrayList<>(payloads("before", 10, 0));
                    expected.addAll(payloads("after", 10, 0));
                    assertThat(readAll(subscriber, 20))
                            .extracting(ReceivedEvent::payloadAsString)
                            .containsExactlyElementsOf(expected);
                }
            }
        }
    }

    @Test
    void overTlsTheClientVerifiesTheServerAndPublishes() throws Exception {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1, Optional.of(SelfSignedTls.loadOrCreate(dir)));
                SwitchboardClient client = SwitchboardClient.builder()
                        .urls(harness.tcpUrls())
                        .trustedCertificates(dir.resolve(SelfSignedTls.CA_PEM))
                        .token("test-token")
                        .build()) {
            assertThat(harness.tcpUrls().getFirst().getScheme()).isEqualTo("sbs");
            try (Publisher publisher = client.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("tls", 5, 0));
            }
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(TOPIC))) {
                assertThat(readAll(subscriber, 5))
                        .extracting(ReceivedEvent::payloadAsString)
                        .containsExactlyElementsOf(payloads("tls", 5, 0));
            }
        }
    }

    @Test
    void aTlsClientThatDoesNotTrustTheServerFailsWithAClearMessage() throws Exception {
        try (HttpHarness harness = new HttpHarness(Fault.Plan.none(), 1, Optional.of(SelfSignedTls.loadOrCreate(dir)));
                SwitchboardClient client = SwitchboardClient.builder()
                        .urls(harness.tcpUrls())
                        .retry(fastRetries(Duration.ZERO))
                        .token("test-token")
                        .build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.publisher(PublisherOptions.of(TOPIC)))
                    .isInstanceOf(SwitchboardClientException.class)
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("trusted");
        }
    }
}
