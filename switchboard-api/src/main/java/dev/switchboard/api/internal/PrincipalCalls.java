package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.protocol.SwitchboardException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One API node's bound on the calls of one principal in progress at once ({@code max-calls-per-principal}), and
 * what it needs to know whose a call is: the principal of an allocate is its token's subject; the principal of a
 * later call is the one this node handed the session to (its MAC, checked before, proves the caller holds that
 * session's key). Past the bound a call is answered BUSY with retry-after, naming the key, and counted.
 *
 * <p>Implementation notes: calls in progress are counted per principal in a concurrent map whose entry goes when
 * its count reaches zero, so it holds at most one entry per call in progress. Sessions are remembered, oldest
 * first, up to {@code maxSessions} (a session disposed through this node is forgotten at once; one that expired
 * on its backend is pushed out by newer ones). A call of a session this node does not know (allocated through
 * another API node, or pushed out) is not counted against a principal: the backend's own per-principal bound
 * ({@code limits.max-requests-per-principal}) still holds it.
 */
public final class PrincipalCalls {
    /** How long a refused client waits before trying again. */
    static final long RETRY_AFTER_MS = 1_000;
    /** Sessions remembered by default (about 200 bytes each: at most ~40 MiB). */
    public static final int DEFAULT_MAX_SESSIONS = 200_000;

    private final int maxPerPrincipal;
    private final ApiCounters counters;
    private final Map<String, Integer> inProgress = new ConcurrentHashMap<>();
    private final Map<String, String> sessions;

    public PrincipalCalls(int maxPerPrincipal, ApiCounters counters) {
        this(maxPerPrincipal, counters, DEFAULT_MAX_SESSIONS);
    }

    PrincipalCalls(int maxPerPrincipal, ApiCounters counters, int maxSessions) {
        if (maxPerPrincipal < 1 || maxSessions < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxPerPrincipal + ", " + maxSessions);
        }
        this.maxPerPrincipal = maxPerPrincipal;
        this.counters = counters;
        this.sessions = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > maxSessions;
            }
        };
    }

    /**
     * Counts one call of {@code principal} in progress; BUSY (counted) when it already has
     * {@code max-calls-per-principal}. Every successful enter must be followed by one {@link #leave}.
     */
    void enter(String principal) {
        boolean[] admitted = {false};
        inProgress.compute(principal, (name, count) -> {
            int now = count == null ? 0 : count;
            if (now >= maxPerPrincipal) {
                return count;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            counters.countPrincipalBusy();
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "principal '" + principal + "' has " + maxPerPrincipal
                            + " calls in progress on this API node (max-calls-per-principal); retry later");
        }
    }

    void leave(String principal) {
        inProgress.computeIfPresent(principal, (name, count) -> count <= 1 ? null : count - 1);
    }

    /** {@code sessionId}, allocated through this node, belongs to {@code principal}. */
    void remember(String sessionId, String principal) {
        synchronized (sessions) {
            sessions.put(sessionId, principal);
        }
    }

    /** The principal this node handed {@code sessionId} to, if it remembers. */
    Optional<String> owner(String sessionId) {
        synchronized (sessions) {
            return Optional.ofNullable(sessions.get(sessionId));
        }
    }

    void forget(String sessionId) {
        synchronized (sessions) {
            sessions.remove(sessionId);
        }
    }

    /** Calls of {@code principal} in progress now (for tests). */
    int inProgress(String principal) {
        return inProgress.getOrDefault(principal, 0);
    }

    /** Sessions remembered now (for tests). */
    int sessionsRemembered() {
        synchronized (sessions) {
            return sessions.size();
        }
    }
}
