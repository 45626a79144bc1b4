package dev.switchboard.client.fake;

import dev.switchboard.protocol.thrift.SwitchRequest;
import java.util.Random;

/** What a {@link FakeNode} does wrong with a request, decided per request. */
public enum Fault {
    /** Handle the request normally. */
    NONE,
    /** Answer UNAVAILABLE without handling the request. */
    REFUSE_UNAVAILABLE,
    /** Answer BUSY (retry after a few ms) without handling the request. */
    REFUSE_BUSY,
    /** Answer DRAINING without handling the request, as a node shutting down does. */
    REFUSE_DRAINING,
    /** Handle the request, then answer UNAVAILABLE as if the answer had timed out on its way back. */
    LOSE_ANSWER;

    /** Decides the fault of each request. */
    @FunctionalInterface
    public interface Plan {
        Fault decide(SwitchRequest request);

        static Plan none() {
            return request -> NONE;
        }

        /**
         * Each session call (not allocate or dispose) goes wrong with probability {@code rate}, the kind of
         * fault chosen evenly; seeded, so a failing run can be repeated.
         */
        static Plan random(long seed, double rate) {
            Random random = new Random(seed);
            Fault[] faults = {REFUSE_UNAVAILABLE, REFUSE_BUSY, LOSE_ANSWER};
            return request -> {
                if (request.isSetAllocate() || request.isSetDispose()) {
                    return NONE;
                }
                synchronized (random) {
                    return random.nextDouble() < rate ? faults[random.nextInt(faults.length)] : NONE;
                }
            };
        }
    }
}
