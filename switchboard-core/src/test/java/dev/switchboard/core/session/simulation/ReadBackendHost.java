package dev.switchboard.core.session.simulation;

import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.ReadMachine.Acknowledged;
import dev.switchboard.core.session.ReadMachine.Command;
import dev.switchboard.core.session.ReadMachine.Deliver;
import dev.switchboard.core.session.ReadMachine.Effect;
import dev.switchboard.core.session.ReadMachine.Fetch;
import dev.switchboard.core.session.ReadMachine.Fetched;
import dev.switchboard.core.session.ReadMachine.Redeliver;
import dev.switchboard.core.session.ReadMachine.Release;
import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backend's side of a read session: runs {@link ReadMachine} on each request, fetches from the topic at the
 * session's position (an empty fetch is a long poll that timed out), keeps the delivered batch for a repeated
 * read, and moves the position when the batch is acknowledged.
 */
public final class ReadBackendHost {
    private final List<Integer> topic;
    private final int maxBatch;
    private final Channel<Message<ReadAnswer>> answers;
    private final List<Batch> deliveries = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private ReadMachine.State state = ReadMachine.initial();
    private Optional<Batch> kept = Optional.empty();
    private Optional<Batch> fetched = Optional.empty();
    private int position;

    ReadBackendHost(List<Integer> topic, int maxBatch, Channel<Message<ReadAnswer>> answers) {
        this.topic = topic;
        this.maxBatch = maxBatch;
        this.answers = answers;
    }

    public ReadMachine.State state() {
        return state;
    }

    /** Every batch handed out by a {@code Deliver} effect, in order. */
    public List<Batch> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The offset of the next event to read: everything before it is acknowledged. */
    public int position() {
        return position;
    }

    /** Host-side surprises (a rejected edge event, a redelivery of a batch it does not hold): always bugs. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    void onRequest(Message<Command> request) {
        run(request.attempt(), request.body());
    }

    private void run(long attempt, Command command) {
        Transition<ReadMachine.State, Effect> transition = ReadMachine.apply(state, command);
        state = transition.state();
        for (Effect effect : transition.effects()) {
            switch (effect) {
                case Fetch fetch -> fetch(attempt, fetch.seq());
                case Deliver deliver -> deliver(attempt, deliver.seq());
                case Redeliver redeliver -> redeliver(attempt, redeliver.seq());
                case Acknowledged acknowledged -> acknowledge(attempt, acknowledged.ackedSeq());
                case Rejection rejection -> {
                    if (command instanceof Fetched) {
                        errors.add("edge event " + command + " rejected: " + rejection);
                    }
                    answer(attempt, new ReadAnswer.Failed(rejection.code()));
                }
                case Release release -> kept = Optional.empty();
            }
        }
    }

    private void fetch(long attempt, long seq) {
        if (position >= topic.size()) {
            answer(attempt, new ReadAnswer.Events(seq, List.of())); // the long poll timed out
            return;
        }
        int end = Math.min(topic.size(), position + maxBatch);
        fetched = Optional.of(new Batch(seq, position, topic.subList(position, end)));
        run(attempt, new Fetched(seq));
        fetched = Optional.empty();
    }

    private void deliver(long attempt, long seq) {
        if (fetched.isEmpty() || fetched.get().seq() != seq) {
            errors.add("deliver " + seq + " but the fetched batch is " + fetched);
            return;
        }
        kept = fetched;
        deliveries.add(fetched.get());
        answer(attempt, new ReadAnswer.Events(seq, fetched.get().events()));
    }

    private void redeliver(long attempt, long seq) {
        if (kept.isEmpty() || kept.get().seq() != seq) {
            errors.add("redeliver " + seq + " but the kept batch is " + kept);
            return;
        }
        answer(attempt, new ReadAnswer.Events(seq, kept.get().events()));
    }

    private void acknowledge(long attempt, long ackedSeq) {
        kept.filter(batch -> batch.seq() <= ackedSeq).ifPresent(batch -> {
            position = batch.end();
            kept = Optional.empty();
        });
        answer(attempt, new ReadAnswer.AckDone(ackedSeq));
    }

    private void answer(long attempt, ReadAnswer answer) {
        answers.send(new Message<>(attempt, answer));
    }
}
