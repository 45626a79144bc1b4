package dev.switchboard.client.internal;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.fake.FakeKafka;
import dev.switchboard.client.fake.FakeNode;
import dev.switchboard.client.fake.Fault;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

/**
 * The SDK's runtime wired to fake backend nodes through a real {@link LocalSwitch} and the {@link InProcessApi}:
 * everything but sockets. {@link #replaceNode} kills the node hosting the sessions and starts another.
 */
final class InProcessHarness implements AutoCloseable {
    static final String TOPIC = "orders";

    final FakeKafka kafka = new FakeKafka();
    final LocalSwitch router = new LocalSwitch();
    final InProcessApi api;
    final ClientRuntime runtime;
    private final Limits limits;
    private FakeNode node;
    private Switch.Attachment attachment;
    private int nodes;

    InProcessHarness(Fault.Plan faults, double lossRate, RetryPolicy policy) {
        this(faults, lossRate, policy, 42);
    }

    InProcessHarness(Fault.Plan faults, double lossRate, RetryPolicy policy, long seed) {
        this.limits = FakeNode.testLimits();
        kafka.createTopic(TOPIC);
        replaceNode(faults);
        api = new InProcessApi(router, seed, lossRate);
        Random random = new Random(7);
        runtime = new ClientRuntime(api, new Retrier(policy, Sleeper.REAL, random::nextDouble), Clock.systemUTC());
    }

    /** Quick retries, so fault tests finish fast. */
    static RetryPolicy fastRetries(int attempts) {
        return RetryPolicy.builder()
                .maxAttempts(attempts)
                .initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(5))
                .build();
    }

    /** Detaches the current node (its sessions are lost) and attaches a fresh one. */
    void replaceNode(Fault.Plan faults) {
        replaceNode(new FakeNode(kafka, "n" + ++nodes, limits, faults));
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
        runtime.close();
        attachment.close();
        node.close();
        router.close();
    }
}
