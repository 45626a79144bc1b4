package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.SwitchboardException;
import java.util.concurrent.atomic.AtomicLong;

/** The node-wide budget of staged (written, uncommitted) event bytes, shared by every write session. */
public final class StagedBytes {
    /** Commits free staged bytes within a round trip or two. */
    static final long RETRY_AFTER_MS = 200;

    private final long max;
    private final AtomicLong used;
    private final BackendCounters counters;

    public StagedBytes(long max, BackendCounters counters) {
        this.max = max;
        this.used = counters.stagedBytesGauge();
        this.counters = counters;
    }

    /** Takes {@code bytes} from the budget; BUSY (retry after {@value #RETRY_AFTER_MS} ms) when they do not fit. */
    void reserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > max && now > 0) {
                counters.countWriteRefusedStagedBytes();
                throw SwitchboardException.busy(
                        RETRY_AFTER_MS,
                        "this node holds " + now + " bytes of uncommitted writes (max-staged-bytes " + max
                                + "); commit, or retry later");
            }
            if (used.compareAndSet(now, now + bytes)) {
                return;
            }
        }
    }

    void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }
}
