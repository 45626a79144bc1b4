package dev.switchboard.core.session.simulation;

import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.ReadMachine.Command;
import java.util.ArrayList;
import java.util.List;

/**
 * A reader SDK and a backend host running {@link ReadMachine} against each other over a lossy, duplicating
 * network, while producers append to the topic at random points. {@link #run} plays one step; {@link #settle}
 * then lets the network deliver everything and the client retry, read and acknowledge until it has consumed the
 * whole topic and all is quiet.
 */
public final class ReadSimulation {
    private static final int SETTLE_LIMIT = 10_000;

    private final List<Integer> topic = new ArrayList<>();
    private final Channel<Message<Command>> requests = new Channel<>();
    private final Channel<Message<ReadAnswer>> answers = new Channel<>();
    private final ReadBackendHost backend;
    private final ReadClient client;

    public ReadSimulation(int maxBatch) {
        backend = new ReadBackendHost(topic, maxBatch, answers);
        client = new ReadClient(requests);
    }

    public ReadBackendHost backend() {
        return backend;
    }

    public ReadClient client() {
        return client;
    }

    /** The events in the topic, in offset order (event i is at offset i). */
    public List<Integer> topic() {
        return List.copyOf(topic);
    }

    /** Plays one step; true when the client took an answer to its outstanding request. */
    public boolean run(Step step) {
        boolean waiting = client.awaitingAnswer();
        switch (step.kind()) {
            case CLIENT_SEND -> client.sendNext(step.pick() % 5 == 0);
            case CLIENT_RETRY -> client.retry();
            case REQUEST_DELIVERED -> requests.deliver(backend::onRequest);
            case REQUEST_LOST -> requests.lose();
            case REQUEST_DUPLICATED -> requests.duplicate(backend::onRequest);
            case RESPONSE_DELIVERED -> answers.deliver(client::onAnswer);
            case RESPONSE_LOST -> answers.lose();
            case RESPONSE_DUPLICATED -> answers.duplicate(client::onAnswer);
            case EVENTS_APPENDED -> append(1 + step.pick() % 4);
            case KAFKA_ACK, KAFKA_FAIL -> {}
        }
        return waiting && !client.awaitingAnswer();
    }

    /**
     * Runs without loss until the client has an answer to everything and has consumed the whole topic. Calls
     * {@code afterAnswer} each time the client takes an answer. False when it never settles.
     */
    public boolean settle(Runnable afterAnswer) {
        for (int i = 0; i < SETTLE_LIMIT; i++) {
            if (!requests.isEmpty()) {
                requests.deliver(backend::onRequest);
            } else if (!answers.isEmpty()) {
                boolean waiting = client.awaitingAnswer();
                answers.deliver(client::onAnswer);
                if (waiting && !client.awaitingAnswer()) {
                    afterAnswer.run();
                }
            } else if (client.awaitingAnswer()) {
                client.retry(); // its answer was lost
            } else if (client.mirror() instanceof ReadMachine.Delivered
                    || client.consumed().size() < topic.size()) {
                client.sendNext(false);
            } else {
                return true;
            }
        }
        return false;
    }

    private void append(int count) {
        for (int i = 0; i < count; i++) {
            topic.add(topic.size());
        }
    }
}
