package dev.switchboard.client.fake;

import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.Durability;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fake backend's write session: {@link WriteMachine} plus the staged chunks; a commit appends them to the
 * {@link FakeKafka} log at once (a Kafka that always acknowledges).
 */
final class FakeWriteSession implements FakeNode.FakeSession {
    private final FakeKafka kafka;
    private final String principal;
    private final String topic;
    private final String writerId;
    private final long maxEventBytes;
    private final Map<Long, List<Event>> staged = new HashMap<>();
    private WriteMachine.State state;

    FakeWriteSession(
            FakeKafka kafka,
            String principal,
            String topic,
            String writerId,
            long lastCommitted,
            Limits limits,
            long maxEventBytes) {
        this.kafka = kafka;
        this.principal = principal;
        this.topic = topic;
        this.writerId = writerId;
        this.maxEventBytes = maxEventBytes;
        this.state = WriteMachine.initial(lastCommitted, limits.getWriteWindow());
    }

    synchronized WriteResponse write(WriteRequest request) {
        validate(request);
        WriteMachine.Command command = request.isCommit()
                ? new WriteMachine.WriteAndCommit(request.getSeq())
                : new WriteMachine.Write(request.getSeq());
        Transition<WriteMachine.State, WriteMachine.Effect> step = WriteMachine.apply(state, command);
        for (WriteMachine.Effect effect : step.effects()) {
            if (effect instanceof Rejection rejection) {
                throw rejection.toException();
            }
        }
        state = step.state();
        for (WriteMachine.Effect effect : step.effects()) {
            if (effect instanceof WriteMachine.Stage stage) {
                staged.put(stage.seq(), List.copyOf(request.getEvents()));
                kafka.recordStaged(writerId, stage.seq());
            }
        }
        publish(step.effects());
        WriteResponse response = new WriteResponse(request.getSeq(), ((WriteMachine.Open) state).staged());
        return request.isCommit() ? response.setCommit(committed()) : response;
    }

    private void validate(WriteRequest request) {
        List<Event> events = request.getEvents();
        if (events.isEmpty()) {
            throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "chunk " + request.getSeq() + " is empty");
        }
        for (int index = 0; index < events.size(); index++) {
            long size = events.get(index).bufferForPayload().remaining();
            if (size > maxEventBytes) {
                throw SwitchboardException.of(
                        ErrorCode.PAYLOAD_TOO_LARGE,
                        "event " + index + " of chunk " + request.getSeq() + " has " + size
                                + " bytes; max-event-bytes is " + maxEventBytes);
            }
        }
    }

    synchronized CommitResponse commit(CommitRequest request) {
        Transition<WriteMachine.State, WriteMachine.Effect> step =
                WriteMachine.apply(state, new WriteMachine.Commit(request.getSeq()));
        for (WriteMachine.Effect effect : step.effects()) {
            if (effect instanceof Rejection rejection) {
                throw rejection.toException();
            }
        }
        state = step.state();
        publish(step.effects());
        return committed();
    }

    /** Runs the Publish effects: the chunks go to the log at once, and Kafka acknowledges them. */
    private void publish(List<WriteMachine.Effect> effects) {
        for (WriteMachine.Effect effect : effects) {
            if (effect instanceof WriteMachine.Publish publish) {
                for (long seq = publish.from(); seq <= publish.to(); seq++) {
                    kafka.append(principal, topic, writerId, seq, staged.remove(seq));
                }
                state = WriteMachine.apply(state, new WriteMachine.Published(publish.to()))
                        .state();
            }
        }
    }

    private CommitResponse committed() {
        return new CommitResponse(((WriteMachine.Open) state).committed()).setDurability(Durability.REPLICATED);
    }

    @Override
    public synchronized void dispose() {
        state = WriteMachine.apply(state, new WriteMachine.Dispose()).state();
    }
}
