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
    private final java.util.List<AutoCloseable> drained = new java.util.ArrayList<>();

    InProcessHarness(Fault.Plan faults, double lossRate, RetryPolicy policy) {
        this(faults, lossRate, policy, 42);
    }

    InProcessHarness(Fault.Plan faults, double lossRate, RetryPolicy policy, long seed) {
        this(faults, lossRate, policy, seed, Clock.systemUTC(), Sleeper.REAL);
    }

    /** With a clock of the test's and a sleeper moving it, retry budgets are spent without waiting. */
    InProcessHarness(Fault.Plan faults, double lossRate, RetryPolicy policy, ManualClock clock) {
        this(faults, lossRate, policy, 42, clock, clock.sleeper());
    }

    private InProcessHarness(
            Fault.Plan faults, double lossRate, RetryPolicy policy, long seed, Clock clock, Sleeper sleeper) {
        this.limits = FakeNode.testLimits();
        kafka.createTopic(TOPIC);
        replaceNode(faults);
        api = new InProcessApi(router, seed, lossRate);
        Random random = new Random(7);
        runtime = new ClientRuntime(api, new Retrier(policy, sleeper, random::nextDouble, clock), clock);
    }

    /** Quick retries within {@code budget}, so fault tests finish fast. */
    static RetryPolicy fastRetries(Duration budget) {
        return RetryPolicy.builder()
                .budget(budget)
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

    /**
     * Drains the current node (it keeps its sessions, new ones go elsewhere) and attaches a fresh one with
     * {@code faults}, as a rolling restart does.
     */
    void drainAndAttachAnother(Fault.Plan faults) {
        attachment.drain();
        drained.add(attachment);
        drained.add(node);
        node = new FakeNode(kafka, "n" + ++nodes, limits, faults);
        attachment = router.attach(node);
    }

    @Override
    public void close() {
        runtime.close();
        for (AutoCloseable closeable : drained) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        attachment.close();
        node.close();
        router.close();
    }
}
