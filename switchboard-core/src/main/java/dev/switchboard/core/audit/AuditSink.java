package dev.switchboard.core.audit;

/**
 * Where a node hands its audit events. {@link #record} never blocks and never throws: the request path calls it,
 * and an implementation that cannot keep up drops the event and counts the drop (docs/metrics.md,
 * {@code switchboard_audit_records_total{outcome="dropped"}}).
 */
@FunctionalInterface
public interface AuditSink {
    /** A sink that keeps nothing (audit off, tests, embedding). */
    AuditSink NONE = event -> {};

    void record(AuditEvent event);
}
