package dev.switchboard.core.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One access event of the audit stream (schema version {@value #VERSION}, documented in docs/operations.md
 * "Audit stream"). Never holds payload bytes, tokens or keys: who ({@code subject}, {@code remote}), what
 * ({@code event}, {@code topic}, {@code mode}, {@code session}), how it ended ({@code outcome}: {@code ok} or an
 * error code in lower case, {@code reason}: a short safe text) and where ({@code node}, {@code traceId}).
 *
 * @param event {@code allocate}, {@code dispose}, {@code expire}, {@code auth-failure} (a later call whose
 *     request MAC failed), {@code admin} (an operator call such as {@code GET /v1/cluster})
 */
public record AuditEvent(
        Instant time,
        String event,
        String outcome,
        String node,
        Optional<String> subject,
        Optional<String> topic,
        Optional<String> mode,
        Optional<String> session,
        Optional<String> call,
        Optional<String> reason,
        Optional<String> remote,
        Optional<String> traceId) {
    /** The internal topic the audit stream goes to. */
    public static final String TOPIC = "__switchboard_audit";

    /** The schema version every record carries in its {@code version} field. */
    public static final int VERSION = 1;

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(traceId, "traceId");
    }

    /** An event with only its kind, outcome and node; add the rest with the {@code with*} methods. */
    public static AuditEvent of(Instant time, String event, String outcome, String node) {
        return new AuditEvent(
                time,
                event,
                outcome,
                node,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    public AuditEvent withOutcome(String value) {
        return new AuditEvent(time, event, value, node, subject, topic, mode, session, call, reason, remote, traceId);
    }

    public AuditEvent withSubject(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, text(value), topic, mode, session, call, reason, remote, traceId);
    }

    public AuditEvent withTopic(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, text(value), mode, session, call, reason, remote, traceId);
    }

    public AuditEvent withMode(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, topic, text(value), session, call, reason, remote, traceId);
    }

    public AuditEvent withSession(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, topic, mode, text(value), call, reason, remote, traceId);
    }

    public AuditEvent withCall(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, topic, mode, session, text(value), reason, remote, traceId);
    }

    public AuditEvent withReason(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, topic, mode, session, call, text(value), remote, traceId);
    }

    public AuditEvent withRemote(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, topic, mode, session, call, reason, text(value), traceId);
    }

    public AuditEvent withTraceId(@Nullable String value) {
        return new AuditEvent(
                time, event, outcome, node, subject, topic, mode, session, call, reason, remote, text(value));
    }

    /** Null or blank is absent: the stream never carries empty strings. */
    private static Optional<String> text(@Nullable String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
