package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.NodeLimits;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions hosted on this node, by id. A reaper disposes sessions idle longer than the session TTL every
 * second ({@link #REAP_EVERY}, by a {@link Ticker}), judging idleness by the injected clock (so tests advance time
 * instead of sleeping, and may tick the reaper themselves). Once closed, the
 * registry takes no more sessions: one added late is disposed at once.
 */
public final class SessionRegistry implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SessionRegistry.class);

    /**
     * A session idle this long gives back what it can get again later (a reader's Kafka consumer), so idle
     * sessions cost little: no thread, no consumer, no read-ahead.
     */
    public static final Duration PARK_AFTER = Duration.ofSeconds(10);
    /** Sessions end by dispose or by their TTL; a client over a session limit tries again after this long. */
    static final long RETRY_AFTER_MS = 5_000;

    private final ConcurrentMap<String, HostedSession> sessions = new ConcurrentHashMap<>();
    private final String nodeId;
    private final Duration ttl;
    /** How often the reaper looks for idle sessions. */
    static final Duration REAP_EVERY = Duration.ofSeconds(1);

    private final AutoCloseable reaper;
    private volatile boolean closed;
    private final NodeLimits limits;
    private final BackendCounters counters;
    /** Sessions admitted (hosted, or being set up); at most {@code max-sessions}. */
    private final AtomicInteger admitted = new AtomicInteger();

    private final ConcurrentMap<String, Integer> sessionsByPrincipal = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> principalBySession = new ConcurrentHashMap<>();
    /** Where expiries go (the audit stream); set once when the node starts, before sessions exist. */
    private volatile AuditSink audit = AuditSink.NONE;

    public SessionRegistry(String nodeId, Duration ttl) {
        this(nodeId, ttl, NodeLimits.defaults(), new BackendCounters());
    }

    public SessionRegistry(String nodeId, Duration ttl, NodeLimits limits, BackendCounters counters) {
        this(nodeId, ttl, limits, counters, Ticker.daemon("sb-reaper-" + nodeId));
    }

    /** With the reaper driven by {@code ticker}. */
    SessionRegistry(String nodeId, Duration ttl, NodeLimits limits, BackendCounters counters, Ticker ticker) {
        this.nodeId = nodeId;
        this.ttl = ttl;
        this.limits = limits;
        this.counters = counters;
        this.reaper = ticker.every(REAP_EVERY, this::expireIdle);
    }

    /**
     * Reserves a place for one more session of {@code principal} (empty: none known), before anything is set up
     * for it; BUSY when the node, or the principal, holds as many sessions as allowed. Each admission ends with
     * {@link #add} of the session, or {@link #unadmit} when it is never made.
     */
    void admit(Optional<String> principal) {
        if (admitted.incrementAndGet() > limits.maxSessions()) {
            admitted.decrementAndGet();
            counters.countSessionRefused(false);
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "this node hosts as many sessions as it may (max-sessions " + limits.maxSessions()
                            + "); retry later or elsewhere");
        }
        if (principal.isEmpty()) {
            return;
        }
        boolean[] full = {false};
        sessionsByPrincipal.compute(principal.get(), (name, held) -> {
            int count = held == null ? 0 : held;
            if (count >= limits.maxSessionsPerPrincipal()) {
                full[0] = true;
                return held;
            }
            return count + 1;
        });
        if (full[0]) {
            admitted.decrementAndGet();
            counters.countSessionRefused(true);
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "principal '" + principal.get() + "' holds " + limits.maxSessionsPerPrincipal()
                            + " sessions on this node (max-sessions-per-principal); dispose some, or retry later");
        }
    }

    /** Gives back an admission whose session was never added. */
    void unadmit(Optional<String> principal) {
        admitted.decrementAndGet();
        principal.ifPresent(this::releasePrincipal);
    }

    private void releasePrincipal(String principal) {
        sessionsByPrincipal.computeIfPresent(principal, (name, held) -> held <= 1 ? null : held - 1);
    }

    /** Adds an admitted session ({@link #admit}); its admission ends when it is disposed. */
    void add(HostedSession session, Optional<String> principal) {
        principal.ifPresent(name -> principalBySession.put(session.id().toString(), name));
        sessions.put(session.id().toString(), session);
        if (closed) {
            dispose(session.id().toString(), "node closed");
            throw SwitchboardException.of(ErrorCode.DRAINING, "node is shutting down; allocate a new session");
        }
        LOGGER.info(
                "session allocated session={} topic={} mode={} node={}",
                session.id(),
                session.topic(),
                session.mode(),
                nodeId);
    }

    /** Hands every expiry to {@code audit} from now on. */
    public void auditTo(AuditSink audit) {
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /** The principal that allocated a session hosted here; empty when unknown or none. */
    public Optional<String> principalOf(String sessionId) {
        return Optional.ofNullable(principalBySession.get(sessionId));
    }

    public Optional<HostedSession> find(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    /** Disposes a session; an unknown or already disposed one is fine. */
    public CompletableFuture<Void> dispose(String sessionId, String reason) {
        HostedSession session = sessions.remove(sessionId);
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        admitted.decrementAndGet();
        String principal = principalBySession.remove(sessionId);
        if (principal != null) {
            releasePrincipal(principal);
        }
        LOGGER.info(
                "session disposed session={} topic={} mode={} node={} reason={}",
                session.id(),
                session.topic(),
                session.mode(),
                nodeId,
                reason);
        return session.dispose();
    }

    /** Disposes every session idle longer than the TTL; parks those idle longer than {@link #PARK_AFTER}. */
    void expireIdle() {
        try {
            for (HostedSession session : List.copyOf(sessions.values())) {
                if (session.idleLongerThan(ttl)) {
                    String principal = principalBySession.get(session.id().toString());
                    dispose(session.id().toString(), "expired");
                    audit.record(AuditEvent.of(session.clock().instant(), "expire", "ok", nodeId) // the node's clock
                            .withSubject(principal)
                            .withTopic(session.topic())
                            .withMode(session.mode().name().toLowerCase(Locale.ROOT))
                            .withSession(session.id().toString())
                            .withReason("idle longer than the session TTL (" + ttl + ")"));
                } else {
                    session.parkIfIdle(PARK_AFTER);
                }
            }
        } catch (RuntimeException e) {
            LOGGER.error("session reaper failed node={}", nodeId, e); // keep reaping next time
        }
    }

    /** Every session hosted now. */
    List<HostedSession> all() {
        return List.copyOf(sessions.values());
    }

    public int size() {
        return sessions.size();
    }

    /** Sessions of one mode (a scan: for metrics, read every few seconds). */
    public int count(dev.switchboard.protocol.thrift.SessionMode mode) {
        int count = 0;
        for (HostedSession session : sessions.values()) {
            if (session.mode() == mode) {
                count++;
            }
        }
        return count;
    }

    /** Sessions parked now (a scan: for metrics, read every few seconds). */
    public int parkedCount() {
        int count = 0;
        for (HostedSession session : sessions.values()) {
            if (session.parked()) {
                count++;
            }
        }
        return count;
    }

    /** Ends every blocked long poll (drain). */
    public void wakeAll() {
        sessions.values().forEach(HostedSession::wake);
    }

    /** Completes once every request queued so far, on every session, is handled. */
    public CompletableFuture<Void> idle() {
        return CompletableFuture.allOf(
                sessions.values().stream().map(HostedSession::idle).toArray(CompletableFuture[]::new));
    }

    /** Takes no more sessions and disposes every one; completes once all are released. */
    public CompletableFuture<Void> disposeAll(String reason) {
        closed = true;
        return CompletableFuture.allOf(List.copyOf(sessions.keySet()).stream()
                .map(id -> dispose(id, reason))
                .toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        closed = true;
        try {
            reaper.close();
        } catch (Exception e) {
            LOGGER.warn("session reaper did not stop node={}", nodeId, e);
        }
    }
}
