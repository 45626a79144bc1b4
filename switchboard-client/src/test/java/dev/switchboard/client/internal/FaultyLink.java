package dev.switchboard.client.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The wire between the SDK and the API tier, misbehaving as {@link LinkPlan} says: requests and answers lost,
 * requests arriving twice, requests held back and arriving later, after ones sent since (reordered), and the
 * backend node lost at one exchange. The SDK sees every fault as what it is on a real network: a failed exchange
 * it may retry, or nothing at all.
 */
final class FaultyLink implements Exchanger {
    /** At most this many requests are held back at once; more are simply lost. */
    private static final int MAX_DELAYED = 8;

    private final Exchanger wire;
    private final LinkPlan plan;
    private final Runnable loseNode;
    private final Random random;
    private final ArrayDeque<byte[]> delayed = new ArrayDeque<>();
    private final AtomicInteger exchanges = new AtomicInteger();
    private final AtomicInteger faults = new AtomicInteger();

    FaultyLink(Exchanger wire, LinkPlan plan, Runnable loseNode) {
        this.wire = wire;
        this.plan = plan;
        this.loseNode = loseNode;
        this.random = new Random(plan.seed());
    }

    @Override
    public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure, InterruptedException {
        if (exchanges.incrementAndGet() == plan.nodeLostAt()) {
            loseNode.run();
            faults.incrementAndGet();
        }
        deliverOneDelayed(extraTime);
        if (roll(plan.lostRequests())) {
            throw lost("request lost");
        }
        if (roll(plan.delayedRequests())) {
            synchronized (delayed) {
                if (delayed.size() < MAX_DELAYED) {
                    delayed.addLast(message);
                }
            }
            throw lost("request delayed"); // the SDK gives up on it; it still arrives, later
        }
        byte[] answer = wire.exchange(message, extraTime);
        if (roll(plan.duplicatedRequests())) {
            faults.incrementAndGet();
            quietly(message, extraTime); // the same request arrives again; the SDK sees one of the answers
        }
        if (roll(plan.lostAnswers())) {
            throw lost("answer lost");
        }
        return answer;
    }

    /** A request held back arrives now, after the requests sent since; nobody waits for its answer. */
    private void deliverOneDelayed(Duration extraTime) throws InterruptedException {
        byte[] late;
        synchronized (delayed) {
            late = roll(0.5) ? delayed.pollFirst() : null;
        }
        if (late != null) {
            quietly(late, extraTime);
        }
    }

    private void quietly(byte[] message, Duration extraTime) throws InterruptedException {
        try {
            wire.exchange(message, extraTime);
        } catch (TransientFailure e) {
            // its answer was never going to be read
        }
    }

    private TransientFailure lost(String what) {
        faults.incrementAndGet();
        return new TransientFailure("injected: " + what);
    }

    private boolean roll(double probability) {
        synchronized (random) {
            return random.nextDouble() < probability;
        }
    }

    /** How many faults the link injected so far. */
    int faults() {
        return faults.get();
    }

    @Override
    public void close() {}
}
