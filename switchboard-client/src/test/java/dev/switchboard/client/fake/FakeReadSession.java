package dev.switchboard.client.fake;

import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.Transition;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import java.time.Duration;
import java.util.List;

/** The fake backend's read session: {@link ReadMachine} plus a position in the {@link FakeKafka} log. */
final class FakeReadSession implements FakeNode.FakeSession {
    private final FakeKafka kafka;
    private final String topic;
    private final Limits limits;
    private ReadMachine.State state = ReadMachine.initial();
    private long position;
    private List<Event> delivered = List.of();

    FakeReadSession(FakeKafka kafka, String topic, long position, Limits limits) {
        this.kafka = kafka;
        this.topic = topic;
        this.position = position;
        this.limits = limits;
    }

    synchronized ReadResponse read(ReadRequest request) throws InterruptedException {
        ReadMachine.State before = state;
        ReadMachine.Command command = request.isSetAckSeq()
                ? new ReadMachine.AckAndRead(request.getAckSeq(), request.getSeq())
                : new ReadMachine.Read(request.getSeq());
        Transition<ReadMachine.State, ReadMachine.Effect> step = ReadMachine.apply(state, command);
        state = step.state();
        AckResponse ack = null;
        for (ReadMachine.Effect effect : step.effects()) {
            switch (effect) {
                case ReadMachine.Acknowledged acknowledged -> ack = acknowledged(before, acknowledged);
                case ReadMachine.Fetch fetch -> {
                    int max = Math.min(
                            request.isSetMaxEvents() ? request.getMaxEvents() : 100, limits.getMaxEventsPerRead());
                    long wait = Math.min(request.isSetMaxWaitMs() ? request.getMaxWaitMs() : 0, limits.getMaxWaitMs());
                    List<Event> events = kafka.read(topic, position, max, Duration.ofMillis(wait));
                    if (events.isEmpty()) {
                        return withAck(new ReadResponse(fetch.seq(), List.of()), ack);
                    }
                    state = ReadMachine.apply(state, new ReadMachine.Fetched(fetch.seq()))
                            .state();
                    delivered = events;
                    return withAck(new ReadResponse(fetch.seq(), events), ack);
                }
                case ReadMachine.Redeliver redeliver -> {
                    return withAck(new ReadResponse(redeliver.seq(), delivered), ack);
                }
                case Rejection rejection -> throw rejection.toException();
                default -> throw new IllegalStateException("unexpected effect " + effect);
            }
        }
        throw new IllegalStateException("read produced no effect");
    }

    private static ReadResponse withAck(ReadResponse response, AckResponse ack) {
        return ack == null ? response : response.setAck(ack);
    }

    synchronized AckResponse ack(AckRequest request) {
        ReadMachine.State before = state;
        Transition<ReadMachine.State, ReadMachine.Effect> step =
                ReadMachine.apply(state, new ReadMachine.Ack(request.getSeq()));
        for (ReadMachine.Effect effect : step.effects()) {
            if (effect instanceof Rejection rejection) {
                throw rejection.toException();
            }
        }
        state = step.state();
        return acknowledged(before, (ReadMachine.Acknowledged) step.effects().getFirst());
    }

    /** Batches up to the acknowledged one are done: the position moves past a batch that was delivered. */
    private AckResponse acknowledged(ReadMachine.State before, ReadMachine.Acknowledged acknowledged) {
        if (before instanceof ReadMachine.Delivered && state instanceof ReadMachine.Idle) {
            position = delivered.getLast().getOffset() + 1;
            delivered = List.of();
        }
        return new AckResponse(acknowledged.ackedSeq(), FakeNode.cursorAt(topic, position));
    }

    @Override
    public synchronized void dispose() {
        state = ReadMachine.apply(state, new ReadMachine.Dispose()).state();
    }
}
