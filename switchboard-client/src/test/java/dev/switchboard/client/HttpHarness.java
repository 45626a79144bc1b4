package dev.switchboard.client;

import dev.switchboard.api.ApiConfig;
import dev.switchboard.api.ApiSecurity;
import dev.switchboard.api.ApiServer;
import dev.switchboard.api.TlsConfig;
import dev.switchboard.client.fake.FakeKafka;
import dev.switchboard.client.fake.FakeNode;
import dev.switchboard.client.fake.Fault;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Real HTTP (and the binary TCP port, {@link #tcpUrls}) all the way to the switch: API nodes ({@link ApiServer}, request MACs on) in front of a {@link LocalSwitch} and a
 * {@link FakeNode}, the test double of the backend tier. {@link #replaceNode} kills the node hosting the sessions
 * (they are lost) and starts another.
 */
final class HttpHarness implements AutoCloseable {
    static final String TOPIC = "orders";
    private static final ApiSecurity SIGNED = new ApiSecurity(
            Optional.empty(), Optional.of("http-harness-cluster-secret".getBytes(StandardCharsets.UTF_8)));

    final FakeKafka kafka = new FakeKafka();
    final LocalSwitch router = new LocalSwitch();
    final List<ApiServer> apis = new ArrayList<>();
    private FakeNode node;
    private Switch.Attachment attachment;
    private int nodes;

    HttpHarness(Fault.Plan faults, int apiNodes) {
        this(faults, apiNodes, Optional.empty());
    }

    /** With {@code tls}, the API nodes serve HTTPS. */
    HttpHarness(Fault.Plan faults, int apiNodes, Optional<TlsConfig> tls) {
        kafka.createTopic(TOPIC);
        replaceNode(faults);
        ApiSecurity security = tls.map(SIGNED::withTls).orElse(SIGNED);
        for (int i = 0; i < apiNodes; i++) {
            // every API node verifies request MACs, keyed by one cluster secret: the SDK must sign each call
            apis.add(ApiServer.start(ApiConfig.defaults().withPort(0).withTcpPort(0), router, () -> true, security));
        }
    }

    /** Quick retries within {@code budget}. */
    static RetryPolicy fastRetries(Duration budget) {
        return RetryPolicy.builder()
                .budget(budget)
                .initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(10))
                .build();
    }

    SwitchboardClient client(RetryPolicy retry) {
        return client(retry, apis.stream().map(ApiServer::uri).toList());
    }

    /** The API nodes' binary TCP URLs ({@code sb://}, {@code sbs://} with TLS). */
    List<URI> tcpUrls() {
        return apis.stream().map(api -> api.tcpUri().orElseThrow()).toList();
    }

    SwitchboardClient client(RetryPolicy retry, List<URI> urls) {
        return SwitchboardClient.builder()
                .urls(urls)
                .retry(retry)
                .token("test-token")
                .build();
    }

    void replaceNode(Fault.Plan faults) {
        replaceNode(new FakeNode(kafka, "n" + ++nodes, FakeNode.testLimits(), faults));
    }

    void replaceNode(FakeNode replacement) {
        if (attachment != null) {
            attachment.close();
            node.close();
        }
        node = replacement;
        attachment = router.attach(node);
    }

    @Override
    public void close() {
        apis.forEach(ApiServer::close);
        attachment.close();
        node.close();
        router.close();
    }
}
