package dev.switchboard.client;

import java.util.List;

/**
 * What one {@link Subscriber#poll} returns: the events of batch {@code seq} of the subscriber's session, in
 * order, or no events when the poll timed out. A non-empty batch must be acknowledged with
 * {@link Subscriber#ack(Batch)} before the next poll.
 *
 * @param seq the batch's sequence number within the session (0 for an empty batch)
 * @param events the events, oldest first per partition
 */
public record Batch(long seq, List<ReceivedEvent> events) {
    /** Freezes the event list. */
    public Batch {
        events = List.copyOf(events);
    }

    /** A batch with no events: the poll's wait ran out. */
    public static Batch empty() {
        return new Batch(0, List.of());
    }

    /** True when the poll timed out without events. */
    public boolean isEmpty() {
        return events.isEmpty();
    }

    /** The number of events. */
    public int size() {
        return events.size();
    }
}
