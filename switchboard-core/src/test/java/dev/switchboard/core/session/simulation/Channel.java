package dev.switchboard.core.session.simulation;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A one-way network link that keeps order but may lose or duplicate a message. A duplicate arrives right after
 * its original, since the link never reorders.
 */
final class Channel<M> {
    private final ArrayDeque<M> inFlight = new ArrayDeque<>();

    void send(M message) {
        inFlight.addLast(message);
    }

    boolean isEmpty() {
        return inFlight.isEmpty();
    }

    void deliver(Consumer<M> receiver) {
        if (!inFlight.isEmpty()) {
            receiver.accept(inFlight.pollFirst());
        }
    }

    void lose() {
        inFlight.pollFirst();
    }

    void duplicate(Consumer<M> receiver) {
        if (!inFlight.isEmpty()) {
            M message = inFlight.pollFirst();
            receiver.accept(message);
            receiver.accept(message);
        }
    }
}
