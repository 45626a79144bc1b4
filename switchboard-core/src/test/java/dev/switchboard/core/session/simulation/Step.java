package dev.switchboard.core.session.simulation;

/**
 * One thing that happens in a simulation. A step that does not apply at that moment (a delivery with nothing in
 * flight, a Kafka ack with nothing sent) does nothing, so any generated list of steps is a valid scenario.
 *
 * @param pick a free number the simulation uses for the step's choices (which commit, how many events)
 */
public record Step(Kind kind, int pick) {

    public enum Kind {
        /** The client sends its next request, unless it still waits for an answer. */
        CLIENT_SEND,
        /** The client gave up waiting (timeout) and sends its outstanding request again. */
        CLIENT_RETRY,
        REQUEST_DELIVERED,
        REQUEST_LOST,
        REQUEST_DUPLICATED,
        RESPONSE_DELIVERED,
        RESPONSE_LOST,
        RESPONSE_DUPLICATED,
        /** Kafka acknowledges the oldest chunk in flight (writes). */
        KAFKA_ACK,
        /** Kafka fails everything in flight, some of which may have landed anyway (writes). */
        KAFKA_FAIL,
        /** Producers append events to the topic (reads). */
        EVENTS_APPENDED
    }
}
