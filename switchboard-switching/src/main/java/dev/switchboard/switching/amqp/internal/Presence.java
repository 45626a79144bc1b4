package dev.switchboard.switching.amqp.internal;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.switching.amqp.NodeState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One presence beat of a backend node, and its wire form: UTF-8 text of {@code key=value} pairs separated by
 * {@code ;}, for example
 * {@code v=1;shard=s0;node=n1;state=serving;inflight=2;interval-ms=1000;version=0.1.0;kafka=up;sessions=12}.
 *
 * <p>Keys: {@code v} (format version, 1), {@code shard}, {@code node}, {@code state} ({@code serving},
 * {@code draining} or {@code leaving}), {@code inflight} (requests being handled), {@code interval-ms} (the
 * sender's beat interval; a node is gone after three missed beats), {@code version} (software version),
 * {@code kafka} ({@code up} or {@code down}: whether the node reaches Kafka; absent means up, as older nodes
 * send), {@code sessions} (optional: sessions hosted). Readers ignore unknown keys, so a newer node may add some.
 */
public record Presence(
        String shard,
        String node,
        NodeState state,
        OptionalInt sessions,
        int inflight,
        Duration interval,
        String version,
        boolean kafkaReachable) {
    private static final int FORMAT = 1;

    /** The wire form. Values never hold {@code ;} or {@code =}: ids are restricted and the version is cleaned. */
    public byte[] encode() {
        StringBuilder text = new StringBuilder()
                .append("v=")
                .append(FORMAT)
                .append(";shard=")
                .append(shard)
                .append(";node=")
                .append(node)
                .append(";state=")
                .append(state.name().toLowerCase(Locale.ROOT))
                .append(";inflight=")
                .append(inflight)
                .append(";interval-ms=")
                .append(interval.toMillis())
                .append(";version=")
                .append(version.replaceAll("[;=\\s]", "_"))
                .append(";kafka=")
                .append(kafkaReachable ? "up" : "down");
        sessions.ifPresent(count -> text.append(";sessions=").append(count));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a beat; empty when the body is not a beat this version understands (it is then ignored). */
    public static Optional<Presence> decode(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        try {
            if (!Integer.toString(FORMAT).equals(fields.get("v"))) {
                return Optional.empty();
            }
            String shard = fields.get("shard");
            String node = fields.get("node");
            if (shard == null || node == null || !SessionId.isValidPart(shard) || !SessionId.isValidPart(node)) {
                return Optional.empty();
            }
            NodeState state = NodeState.valueOf(required(fields, "state").toUpperCase(Locale.ROOT));
            OptionalInt sessions = fields.containsKey("sessions")
                    ? OptionalInt.of(Integer.parseInt(fields.get("sessions")))
                    : OptionalInt.empty();
            int inflight = Integer.parseInt(required(fields, "inflight"));
            Duration interval = Duration.ofMillis(Long.parseLong(required(fields, "interval-ms")));
            if (interval.isNegative() || interval.isZero()) {
                return Optional.empty();
            }
            return Optional.of(new Presence(
                    shard,
                    node,
                    state,
                    sessions,
                    inflight,
                    interval,
                    fields.getOrDefault("version", "unknown"),
                    !"down".equals(fields.get("kafka"))));
        } catch (IllegalArgumentException e) {
            // a missing key, a bad number or an unknown state: not a beat we can use
            return Optional.empty();
        }
    }

    private static String required(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return value;
    }
}
