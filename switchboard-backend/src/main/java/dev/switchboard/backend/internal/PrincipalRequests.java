package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.SwitchboardException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Requests each principal has in progress on this node ({@code max-requests-per-principal}), long polls included,
 * so that one client cannot take all of a node's request capacity (its AMQP delivery window, its threads). Past the
 * bound a request is answered BUSY at once, which frees its place in the window. Thread-safe.
 *
 * <p>Implementation notes: the map holds only principals with a request in progress (an entry goes at zero), so
 * it is bounded by the requests the node holds at once.
 */
public final class PrincipalRequests {
    /** Long polls end within the read's wait; a second is a fair first guess. */
    static final long RETRY_AFTER_MS = 1_000;

    private final int max;
    private final BackendCounters counters;
    private final ConcurrentMap<String, Integer> inProgress = new ConcurrentHashMap<>();

    public PrincipalRequests(int max, BackendCounters counters) {
        this.max = max;
        this.counters = counters;
    }

    /** Counts one more request of {@code principal}; BUSY (nothing counted) when it has {@code max} already. */
    public void enter(String principal) {
        boolean[] full = {false};
        inProgress.compute(principal, (name, held) -> {
            int count = held == null ? 0 : held;
            if (count >= max) {
                full[0] = true;
                return held;
            }
            return count + 1;
        });
        if (full[0]) {
            counters.countRequestRefusedPrincipalBusy();
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "principal '" + principal + "' has " + max
                            + " requests in progress on this node (max-requests-per-principal); retry later");
        }
    }

    /** Ends one request of {@code principal} that {@link #enter} counted. */
    public void leave(String principal) {
        inProgress.computeIfPresent(principal, (name, held) -> held <= 1 ? null : held - 1);
    }

    /** Requests of {@code principal} in progress now. */
    int inProgress(String principal) {
        return inProgress.getOrDefault(principal, 0);
    }
}
