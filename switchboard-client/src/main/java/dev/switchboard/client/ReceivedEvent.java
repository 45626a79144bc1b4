package dev.switchboard.client;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An event as a {@link Subscriber} receives it: the event itself and where it sits in the topic.
 *
 * @param event the event (key, payload, headers, timestamp)
 * @param partition the topic partition it was read from
 * @param offset its offset in that partition
 * @param traceparent the W3C trace context it was written under (empty when the write carried none), so a consumer
 *     can link its own span to the producer's
 */
public record ReceivedEvent(Event event, int partition, long offset, Optional<String> traceparent) {
    /** The header Switchboard adds to every published event: {@code <writerId>:<chunkSeq>:<index>}. */
    public static final String ID_HEADER = "sb-id";

    /** Validates the parts. */
    public ReceivedEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(traceparent, "traceparent");
    }

    /** An event read without a trace context. */
    public ReceivedEvent(Event event, int partition, long offset) {
        this(event, partition, offset, Optional.empty());
    }

    /**
     * The event's Switchboard id ({@value #ID_HEADER} header), when present. After a publisher fails over it may
     * resend a chunk, so the same event can arrive twice; both copies carry the same id, so a consumer that needs
     * exactly-once processing drops ids it has already seen.
     */
    public Optional<String> id() {
        return event.header(ID_HEADER).map(value -> new String(value, StandardCharsets.UTF_8));
    }

    /** The event's payload. */
    public byte[] payload() {
        return event.payload();
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return event.payloadAsString();
    }

    /** The event's key, if any. */
    public Optional<byte[]> key() {
        return event.key();
    }

    /** The event's headers, including Switchboard's own ({@value #ID_HEADER}). */
    public Map<String, byte[]> headers() {
        return event.headers();
    }
}
