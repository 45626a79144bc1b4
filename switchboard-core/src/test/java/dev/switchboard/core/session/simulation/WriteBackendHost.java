package dev.switchboard.core.session.simulation;

import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.Transition;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.core.session.WriteMachine.AlreadyStaged;
import dev.switchboard.core.session.WriteMachine.AwaitCommitted;
import dev.switchboard.core.session.WriteMachine.Command;
import dev.switchboard.core.session.WriteMachine.Committed;
import dev.switchboard.core.session.WriteMachine.Effect;
import dev.switchboard.core.session.WriteMachine.Publish;
import dev.switchboard.core.session.WriteMachine.PublishFailed;
import dev.switchboard.core.session.WriteMachine.Published;
import dev.switchboard.core.session.WriteMachine.Release;
import dev.switchboard.core.session.WriteMachine.Rewound;
import dev.switchboard.core.session.WriteMachine.Stage;
import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backend's side of a write session: runs {@link WriteMachine} on each request and Kafka event, performs the
 * effects against the {@link KafkaModel}, and answers the client. Commits wait for Kafka, as in the real host.
 */
public final class WriteBackendHost {
    private record Waiter(long attempt, long seq) {}

    private final KafkaModel kafka;
    private final Channel<Message<WriteAnswer>> answers;
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Rejection> edgeRejections = new ArrayList<>();
    private WriteMachine.State state;

    WriteBackendHost(WriteMachine.State initial, KafkaModel kafka, Channel<Message<WriteAnswer>> answers) {
        this.state = initial;
        this.kafka = kafka;
        this.answers = answers;
    }

    public WriteMachine.State state() {
        return state;
    }

    /** Rejections of Kafka events: the machine disagreeing with what Kafka did, always a bug. */
    public List<Rejection> edgeRejections() {
        return List.copyOf(edgeRejections);
    }

    void onRequest(Message<Command> request) {
        run(request.body(), Optional.of(request.attempt()));
    }

    void onKafkaAck() {
        kafka.ackNext().ifPresent(seq -> run(new Published(seq), Optional.empty()));
    }

    void onKafkaFailure(int landed) {
        if (kafka.failAll(landed)) {
            run(new PublishFailed(), Optional.empty());
        }
    }

    private void run(Command command, Optional<Long> attempt) {
        Transition<WriteMachine.State, Effect> transition = WriteMachine.apply(state, command);
        state = transition.state();
        for (Effect effect : transition.effects()) {
            switch (effect) {
                case Stage stage -> answer(attempt, new WriteAnswer.Staged(stage.seq()));
                case AlreadyStaged again -> answer(attempt, new WriteAnswer.Staged(again.seq()));
                case Publish publish -> kafka.send(publish.from(), publish.to());
                case AwaitCommitted await -> attempt.ifPresent(a -> waiters.add(new Waiter(a, await.seq())));
                case Committed committed -> {
                    answer(attempt, new WriteAnswer.CommitDone(committed.seq()));
                    answerWaiters(committed.seq());
                }
                case Rewound rewound -> failWaiters();
                case Rejection rejection -> {
                    if (attempt.isEmpty()) {
                        edgeRejections.add(rejection);
                    }
                    answer(attempt, new WriteAnswer.Failed(rejection.code()));
                }
                case Release release -> waiters.clear();
            }
        }
    }

    private void answerWaiters(long committed) {
        waiters.removeIf(waiter -> {
            if (waiter.seq() > committed) {
                return false;
            }
            answers.send(new Message<>(waiter.attempt(), new WriteAnswer.CommitDone(committed)));
            return true;
        });
    }

    private void failWaiters() {
        waiters.forEach(w -> answers.send(new Message<>(w.attempt(), new WriteAnswer.Failed(ErrorCode.UNAVAILABLE))));
        waiters.clear();
    }

    private void answer(Optional<Long> attempt, WriteAnswer answer) {
        attempt.ifPresent(a -> answers.send(new Message<>(a, answer)));
    }
}
