package dev.switchboard.backend.internal;

import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.SessionMode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates an allocate request before any Kafka work: topic name, mode, start or cursor, writer id and
 * guarantee. Every problem is an INVALID_REQUEST with a message a client can act on.
 */
final class AllocateValidator {
    /** Kafka's own rule: 1-249 characters of [a-zA-Z0-9._-], not "." or "..". */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final CursorCodec cursors;

    AllocateValidator(CursorCodec cursors) {
        this.cursors = cursors;
    }

    AllocationSpec validate(AllocateRequest request) {
        if (request == null) {
            throw invalid("allocate request is missing");
        }
        String topic = topic(request.getTopic());
        SessionMode mode = request.getMode();
        if (mode == null) {
            throw invalid("mode is required (READ or WRITE)");
        }
        return switch (mode) {
            case READ ->
                new AllocationSpec(
                        topic, mode, start(topic, request), Optional.empty(), 0, "", Guarantee.AT_LEAST_ONCE);
            case WRITE -> writer(topic, request);
        };
    }

    static String topic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw invalid("topic is required");
        }
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw invalid("topic must be 1-249 characters of [a-zA-Z0-9._-] and not '.' or '..'");
        }
        if (topic.startsWith("__")) {
            throw invalid("topic names starting with '__' are reserved for internal topics");
        }
        return topic;
    }

    private ReadStart start(String topic, AllocateRequest request) {
        if (request.isSetCursor()) {
            Cursor cursor = cursors.decode(request.getCursor());
            if (!cursor.topic().equals(topic)) {
                throw invalid("the cursor belongs to another topic, not '" + topic + "'");
            }
            return new ReadStart.FromCursor(cursor);
        }
        if (!request.isSetStartFrom()) {
            return new ReadStart.Earliest();
        }
        return switch (request.getStartFrom()) {
            case EARLIEST -> new ReadStart.Earliest();
            case LATEST -> new ReadStart.Latest();
            case TIMESTAMP -> {
                if (!request.isSetStartTimestamp() || request.getStartTimestamp() < 0) {
                    throw invalid("startFrom TIMESTAMP needs a startTimestamp (epoch milliseconds, not negative)");
                }
                yield new ReadStart.AtTimestamp(request.getStartTimestamp());
            }
        };
    }

    private static AllocationSpec writer(String topic, AllocateRequest request) {
        Guarantee guarantee = request.isSetGuarantee() ? request.getGuarantee() : Guarantee.AT_LEAST_ONCE;
        Optional<String> writerId = Optional.empty();
        if (request.isSetWriterId()) {
            if (!WRITER_ID.matcher(request.getWriterId()).matches()) {
                throw invalid("writerId must be 1-128 characters of [A-Za-z0-9._:-]");
            }
            writerId = Optional.of(request.getWriterId());
        }
        long hint = request.isSetLastCommittedSeq() ? request.getLastCommittedSeq() : 0;
        if (hint < 0 || hint > WriteMachine.MAX_SEQ) {
            throw invalid("lastCommittedSeq must be between 0 and " + WriteMachine.MAX_SEQ);
        }
        String principal = request.isSetPrincipal() ? request.getPrincipal() : "";
        return new AllocationSpec(
                topic, SessionMode.WRITE, new ReadStart.Earliest(), writerId, hint, principal, guarantee);
    }

    private static SwitchboardException invalid(String message) {
        return SwitchboardException.of(ErrorCode.INVALID_REQUEST, message);
    }
}
