package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.core.load.QueueDelayGate;
import dev.switchboard.protocol.thrift.SwitchRequest;
import java.time.Clock;
import java.time.Duration;

/**
 * The API node's side of {@code limits.max-queue-delay}: which calls the node's {@link QueueDelayGate} may refuse,
 * and which ones tell it how long the node takes. {@link SwitchboardCalls} asks it for every request it sends
 * over the switch, so the HTTP endpoints (Thrift and JSON) and the TCP port share one check. Thread-safe.
 *
 * <p>Shed while the gate is closed: allocations, reads and writes (new work). Never shed: commits, acks and
 * disposes, which finish work the cluster already holds. Timed, from arrival to answer: writes without a commit
 * riding on them, and acks: work answered at once, as on the backend (long polls and commits wait by design, and
 * a refused call says nothing about the queue).
 */
public final class QueueDelayShedding {
    private final QueueDelayGate gate;
    private final Clock clock;

    public QueueDelayShedding(Duration maxQueueDelay, Clock clock, ApiCounters counters) {
        this.gate = new QueueDelayGate(maxQueueDelay, clock, counters::countQueueDelayBusy);
        this.clock = clock;
    }

    /** Whether a call of this kind may be refused while the node is behind. */
    static boolean sheds(SwitchRequest request) {
        return switch (request.getSetField()) {
            case ALLOCATE, READ, WRITE -> true;
            case COMMIT, ACK, DISPOSE -> false;
        };
    }

    /** Whether a call of this kind tells the gate how long the node took to answer it. */
    static boolean timed(SwitchRequest request) {
        return switch (request.getSetField()) {
            case WRITE -> !request.getWrite().isCommit();
            case ACK -> true;
            case ALLOCATE, READ, COMMIT, DISPOSE -> false;
        };
    }

    /** When the request arrived: as the transport saw it, or now for a call the node makes itself. */
    long arrival(CallContext context) {
        return context.arrivedMillis() == CallContext.NOT_ARRIVED ? clock.millis() : context.arrivedMillis();
    }

    /** Lets {@code request} through, or throws BUSY with a retry-after (counted) while the node is behind. */
    void admit(SwitchRequest request) {
        if (sheds(request)) {
            gate.admit(request.getSetField().getFieldName());
        }
    }

    /** {@code request}, which arrived at {@code arrivedMillis}, has its answer now. */
    void answered(SwitchRequest request, long arrivedMillis) {
        if (timed(request)) {
            gate.finished(arrivedMillis);
        }
    }
}
