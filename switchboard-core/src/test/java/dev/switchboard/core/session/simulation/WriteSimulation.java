package dev.switchboard.core.session.simulation;

import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.core.session.WriteMachine.Command;

/**
 * A writer SDK and a backend host running {@link WriteMachine} against each other over a lossy, duplicating
 * network, with Kafka acknowledging or failing at random points. {@link #run} plays one step; {@link #settle}
 * then lets the network deliver everything, Kafka acknowledge everything and the client retry and commit until
 * all is quiet.
 */
public final class WriteSimulation {
    /** Enough steps to settle any scenario; a correct protocol needs far fewer. */
    private static final int SETTLE_LIMIT = 10_000;

    private final Channel<Message<Command>> requests = new Channel<>();
    private final Channel<Message<WriteAnswer>> answers = new Channel<>();
    private final KafkaModel kafka = new KafkaModel();
    private final WriteBackendHost backend;
    private final WriteClient client;

    /** A session of a writer whose last committed chunk is {@code lastCommitted}, writing {@code chunks} more. */
    public WriteSimulation(long lastCommitted, int window, int chunks) {
        backend = new WriteBackendHost(WriteMachine.initial(lastCommitted, window), kafka, answers);
        client = new WriteClient(WriteMachine.initial(lastCommitted, window), chunks, requests);
    }

    public WriteBackendHost backend() {
        return backend;
    }

    public WriteClient client() {
        return client;
    }

    public KafkaModel kafka() {
        return kafka;
    }

    /** Plays one step; true when the client took an answer to its outstanding request. */
    public boolean run(Step step) {
        long answersBefore = client.answersTaken();
        switch (step.kind()) {
            case CLIENT_SEND -> client.sendNext(step.pick());
            case CLIENT_RETRY -> client.retry();
            case REQUEST_DELIVERED -> requests.deliver(backend::onRequest);
            case REQUEST_LOST -> requests.lose();
            case REQUEST_DUPLICATED -> requests.duplicate(backend::onRequest);
            case RESPONSE_DELIVERED -> answers.deliver(client::onAnswer);
            case RESPONSE_LOST -> answers.lose();
            case RESPONSE_DUPLICATED -> answers.duplicate(client::onAnswer);
            case KAFKA_ACK -> backend.onKafkaAck();
            case KAFKA_FAIL -> backend.onKafkaFailure(step.pick());
            case EVENTS_APPENDED -> {}
        }
        return client.answersTaken() > answersBefore;
    }

    /**
     * Runs without loss or failure until the client has an answer to everything and every staged chunk is
     * committed. Calls {@code afterAnswer} each time the client takes an answer. False when it never settles.
     */
    public boolean settle(Runnable afterAnswer) {
        for (int i = 0; i < SETTLE_LIMIT; i++) {
            if (!requests.isEmpty()) {
                requests.deliver(backend::onRequest);
            } else if (kafka.hasInFlight()) {
                backend.onKafkaAck();
            } else if (!answers.isEmpty()) {
                long answersBefore = client.answersTaken();
                answers.deliver(client::onAnswer);
                if (client.answersTaken() > answersBefore) {
                    afterAnswer.run();
                }
            } else if (client.awaitingAnswer()) {
                client.retry(); // its answer was lost
            } else if (client.hasUncommitted()) {
                client.commitAll();
            } else {
                return true;
            }
        }
        return false;
    }
}
