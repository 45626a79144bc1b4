package dev.switchboard.core.session.simulation;

import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.ReadMachine.Ack;
import dev.switchboard.core.session.ReadMachine.Command;
import dev.switchboard.core.session.ReadMachine.Deliver;
import dev.switchboard.core.session.ReadMachine.Delivered;
import dev.switchboard.core.session.ReadMachine.Effect;
import dev.switchboard.core.session.ReadMachine.Fetched;
import dev.switchboard.core.session.ReadMachine.Idle;
import dev.switchboard.core.session.ReadMachine.Read;
import dev.switchboard.core.session.Transition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SDK's side of a read session, one request at a time: it applies each command to its mirror when it sends
 * it, and a delivered non-empty batch as {@code Fetched(seq)}. The events of a batch count as consumed once its
 * acknowledgement is answered. An answer to an attempt other than the outstanding one is stale and dropped.
 */
public final class ReadClient {
    private final Channel<Message<Command>> requests;
    private final Map<Long, List<Integer>> received = new HashMap<>();
    private final List<Integer> consumed = new ArrayList<>();
    private final List<String> disagreements = new ArrayList<>();
    private ReadMachine.State mirror = ReadMachine.initial();
    private Optional<Message<Command>> outstanding = Optional.empty();
    private long attempts;
    private long confirmedAcked;

    ReadClient(Channel<Message<Command>> requests) {
        this.requests = requests;
    }

    public ReadMachine.State mirror() {
        return mirror;
    }

    /** The events of every batch whose acknowledgement the backend answered, in batch order. */
    public List<Integer> consumed() {
        return List.copyOf(consumed);
    }

    /** The batch the client received as {@code seq}, if any. */
    public Optional<List<Integer>> received(long seq) {
        return Optional.ofNullable(received.get(seq));
    }

    public long confirmedAcked() {
        return confirmedAcked;
    }

    /** Mirror rejections, mismatched batches and error answers: a correct protocol never produces any. */
    public List<String> disagreements() {
        return List.copyOf(disagreements);
    }

    boolean awaitingAnswer() {
        return outstanding.isPresent();
    }

    /** Reads the next batch, or acknowledges the delivered one; with {@code rereadFirst} reads it again first. */
    void sendNext(boolean rereadFirst) {
        if (outstanding.isPresent()) {
            return;
        }
        switch (mirror) {
            case Idle idle -> send(new Read(idle.nextSeq()));
            case Delivered delivered -> send(rereadFirst ? new Read(delivered.seq()) : new Ack(delivered.seq()));
            case ReadMachine.Closed closed -> disagreements.add("mirror is closed");
        }
    }

    void retry() {
        outstanding.ifPresent(request -> send(request.body()));
    }

    void onAnswer(Message<ReadAnswer> answer) {
        if (outstanding.isEmpty() || outstanding.get().attempt() != answer.attempt()) {
            return; // stale: an answer to an earlier attempt, or a duplicate
        }
        outstanding = Optional.empty();
        switch (answer.body()) {
            case ReadAnswer.Events batch when batch.events().isEmpty() -> {} // long poll timed out
            case ReadAnswer.Events batch -> onBatch(batch.seq(), batch.events());
            case ReadAnswer.AckDone done -> onAcknowledged(done.ackedSeq());
            case ReadAnswer.Failed failed -> disagreements.add("backend answered " + failed.code());
        }
    }

    private void onBatch(long seq, List<Integer> events) {
        if (mirror instanceof Delivered delivered && delivered.seq() == seq) {
            if (!events.equals(received.get(seq))) {
                disagreements.add("batch " + seq + " changed on redelivery: " + received.get(seq) + " -> " + events);
            }
            return;
        }
        List<Effect> effects = apply(new Fetched(seq));
        if (!effects.equals(List.of(new Deliver(seq)))) {
            disagreements.add("mirror did not take batch " + seq + ": " + effects);
        }
        received.put(seq, events);
    }

    private void onAcknowledged(long ackedSeq) {
        for (long seq = confirmedAcked + 1; seq <= ackedSeq; seq++) {
            List<Integer> batch = received.get(seq);
            if (batch == null) {
                disagreements.add("batch " + seq + " acknowledged but never received");
            } else {
                consumed.addAll(batch);
            }
        }
        confirmedAcked = Math.max(confirmedAcked, ackedSeq);
    }

    private void send(Command command) {
        apply(command);
        Message<Command> request = new Message<>(++attempts, command);
        outstanding = Optional.of(request);
        requests.send(request);
    }

    private List<Effect> apply(Command command) {
        Transition<ReadMachine.State, Effect> transition = ReadMachine.apply(mirror, command);
        mirror = transition.state();
        transition.effects().stream()
                .filter(dev.switchboard.core.session.Rejection.class::isInstance)
                .forEach(r -> disagreements.add("mirror rejected " + command + ": " + r));
        return transition.effects();
    }
}
