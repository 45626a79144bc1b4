package dev.switchboard.backend.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bound on exactly-once writers per node: each holds a transactional producer (a network thread, buffers,
 * connections) for as long as its session lives. Past {@code max-transactional-producers} an exactly-once
 * allocate answers BUSY; with 0 exactly-once is off (INVALID_REQUEST).
 */
public final class TransactionalProducers {
    private static final long RETRY_AFTER_MS = 1000;

    private final int max;
    private final Semaphore slots;

    public TransactionalProducers(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max-transactional-producers must not be negative, got " + max);
        }
        this.max = max;
        this.slots = new Semaphore(max);
    }

    /** Takes a slot; the returned action gives it back (once, however often it runs). */
    Runnable acquire() {
        if (max == 0) {
            throw SwitchboardException.of(
                    ErrorCode.INVALID_REQUEST,
                    "exactly-once is turned off on this node (max-transactional-producers: 0); allocate with"
                            + " AT_LEAST_ONCE");
        }
        if (!slots.tryAcquire()) {
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "this node hosts " + max + " exactly-once writers, its max-transactional-producers; allocate"
                            + " again later");
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        };
    }

    /** How many exactly-once writers hold a producer now. */
    int inUse() {
        return max - slots.availablePermits();
    }
}
