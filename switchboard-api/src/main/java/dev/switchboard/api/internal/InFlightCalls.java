package dev.switchboard.api.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.SwitchResponses;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls this node is waiting on, so that closing the node answers them at once (UNAVAILABLE, retriable: every
 * call is idempotent) instead of holding shutdown for a minute-long long poll.
 *
 * <p>Once closed, every call registered later is answered the same way right away.
 */
public final class InFlightCalls {
    private final Set<CompletableFuture<SwitchResponse>> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Returns a future that completes with {@code answer}'s result, or with UNAVAILABLE when the node closes first.
     * Call {@link #done} with it when finished waiting.
     */
    public CompletableFuture<SwitchResponse> track(CompletableFuture<SwitchResponse> answer) {
        CompletableFuture<SwitchResponse> tracked = answer.copy();
        waiting.add(tracked);
        if (closed) {
            tracked.complete(shuttingDown());
        }
        return tracked;
    }

    public void done(CompletableFuture<SwitchResponse> tracked) {
        waiting.remove(tracked);
    }

    public int size() {
        return waiting.size();
    }

    /** Answers every waiting call, and every later one, with UNAVAILABLE. */
    public void close() {
        closed = true;
        for (CompletableFuture<SwitchResponse> tracked : waiting) {
            tracked.complete(shuttingDown());
        }
    }

    private static SwitchResponse shuttingDown() {
        return SwitchResponses.error(ErrorCode.UNAVAILABLE, "this API node is shutting down; retry the call");
    }
}
