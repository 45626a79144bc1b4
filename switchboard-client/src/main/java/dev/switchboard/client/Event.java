package dev.switchboard.client;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One event to publish: an optional key (events with the same key keep their order), the payload, optional
 * headers and an optional timestamp (the broker's time is used when absent).
 *
 * <p>Byte arrays are not copied, to keep large payloads cheap: do not change an array after handing it to an
 * event. {@code equals} and {@code hashCode} compare array contents.
 *
 * @param key the partitioning key, if any
 * @param payload the event's bytes
 * @param headers application headers (names starting with {@code sb-} are reserved for Switchboard)
 * @param timestamp the event time, if the application sets one
 */
public record Event(Optional<byte[]> key, byte[] payload, Map<String, byte[]> headers, Optional<Instant> timestamp) {

    /** Validates the parts and freezes the header map. */
    public Event {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(headers, "headers");
        headers.forEach((name, value) -> {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, () -> "value of header " + name);
        });
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** An event whose payload is {@code utf8Payload} encoded as UTF-8. */
    public static Event of(String utf8Payload) {
        return of(utf8Payload.getBytes(StandardCharsets.UTF_8));
    }

    /** An event with this payload and nothing else. */
    public static Event of(byte[] payload) {
        return new Event(Optional.empty(), payload, Map.of(), Optional.empty());
    }

    /** A builder for events with a key, headers or a timestamp. */
    public static Builder builder() {
        return new Builder();
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The value of header {@code name}, if present. */
    public Optional<byte[]> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof Event that
                && Arrays.equals(key.orElse(null), that.key.orElse(null))
                && Arrays.equals(payload, that.payload)
                && timestamp.equals(that.timestamp)
                && sameHeaders(headers, that.headers);
    }

    private static boolean sameHeaders(Map<String, byte[]> a, Map<String, byte[]> b) {
        return a.size() == b.size()
                && a.entrySet().stream()
                        .allMatch(entry -> b.containsKey(entry.getKey())
                                && Arrays.equals(entry.getValue(), b.get(entry.getKey())));
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(key.orElse(null));
        hash = 31 * hash + Arrays.hashCode(payload);
        for (Map.Entry<String, byte[]> header : headers.entrySet()) {
            hash += header.getKey().hashCode() ^ Arrays.hashCode(header.getValue());
        }
        return 31 * hash + timestamp.hashCode();
    }

    /** Sizes rather than contents: payloads can be large or secret. */
    @Override
    public String toString() {
        return "Event[key=" + key.map(k -> k.length + " bytes").orElse("none") + ", payload=" + payload.length
                + " bytes, headers=" + headers.keySet() + ", timestamp="
                + timestamp.map(Instant::toString).orElse("none")
                + "]";
    }

    /** Builds an {@link Event}; only the payload is required. */
    public static final class Builder {
        private byte @Nullable [] key;
        private byte @Nullable [] payload;
        private final Map<String, byte[]> headers = new LinkedHashMap<>();
        private @Nullable Instant timestamp;

        private Builder() {}

        /** The partitioning key. */
        public Builder key(byte[] key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The partitioning key, encoded as UTF-8. */
        public Builder key(String key) {
            return key(key.getBytes(StandardCharsets.UTF_8));
        }

        /** The payload. */
        public Builder payload(byte[] payload) {
            this.payload = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /** The payload, encoded as UTF-8. */
        public Builder payload(String payload) {
            return payload(payload.getBytes(StandardCharsets.UTF_8));
        }

        /** Adds or replaces header {@code name}. */
        public Builder header(String name, byte[] value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds or replaces header {@code name} with {@code value} encoded as UTF-8. */
        public Builder header(String name, String value) {
            return header(name, value.getBytes(StandardCharsets.UTF_8));
        }

        /** The event time. */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            return this;
        }

        /** The event; throws {@link IllegalStateException} when no payload was set. */
        public Event build() {
            if (payload == null) {
                throw new IllegalStateException("an event needs a payload");
            }
            return new Event(Optional.ofNullable(key), payload, headers, Optional.ofNullable(timestamp));
        }
    }
}
