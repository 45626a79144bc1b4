package dev.switchboard.api.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the call side may know about the HTTP request a call arrived in: its headers (names lower-cased) and the
 * peer's address, and the hex SHA-256 of the request body (what a request MAC covers). It is the seam for
 * authentication: an authenticator reads {@code Authorization} and the request MAC headers from here, so the HTTP handler never needs to change for it.
 *
 * <p>{@code arrivedMillis} is when the transport first saw the request (an HTTP request's head, a TCP frame's
 * first byte), by the node's clock: the queue-delay gate measures from there. {@link #NOT_ARRIVED} for calls the
 * node makes itself (a TCP stream's reads and acks), which are timed from when each starts.
 */
public record CallContext(
        Map<String, List<String>> headers, String remoteAddress, String bodySha256, long arrivedMillis) {

    /** No arrival time: each call through this context is timed from when it starts. */
    public static final long NOT_ARRIVED = -1;

    /** A context without a body digest or arrival time (tests, in-process use). */
    public CallContext(Map<String, List<String>> headers, String remoteAddress) {
        this(headers, remoteAddress, "", NOT_ARRIVED);
    }

    /** A context without an arrival time (tests, in-process use). */
    public CallContext(Map<String, List<String>> headers, String remoteAddress, String bodySha256) {
        this(headers, remoteAddress, bodySha256, NOT_ARRIVED);
    }

    public CallContext {
        bodySha256 = bodySha256 == null ? "" : bodySha256;
        Map<String, List<String>> lowerCased = new HashMap<>(headers.size() * 2);
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            lowerCased.merge(
                    entry.getKey().toLowerCase(Locale.ROOT), List.copyOf(entry.getValue()), (first, second) -> {
                        List<String> both = new ArrayList<>(first);
                        both.addAll(second);
                        return List.copyOf(both);
                    });
        }
        headers = Collections.unmodifiableMap(lowerCased);
        remoteAddress = remoteAddress == null ? "" : remoteAddress;
    }

    /** A context with no headers, for calls that did not come over HTTP (tests, in-process use). */
    public static CallContext empty() {
        return new CallContext(Map.of(), "");
    }

    /** The first value of header {@code name} (case-insensitive). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
