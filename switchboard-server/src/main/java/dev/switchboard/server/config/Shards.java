package dev.switchboard.server.config;

import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code shards} key: shard name -> AMQP URI of its broker, checked with the switch's own rules. */
final class Shards {
    private Shards() {}

    static Map<String, URI> parse(Map<String, String> raw) {
        if (raw.isEmpty()) {
            throw new ConfigException(
                    "shards: no shard configured (give 'shards' in the config file or --shard NAME=AMQP-URI)");
        }
        Map<String, URI> shards = new LinkedHashMap<>();
        raw.forEach((name, text) -> shards.put(name, uri(name, text)));
        try {
            AmqpSwitchConfig.of(shards, "check");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        return Collections.unmodifiableMap(shards);
    }

    private static URI uri(String name, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException("shards." + name + ": the AMQP URI is missing");
        }
        try {
            return new URI(text.trim());
        } catch (URISyntaxException e) {
            // The text is not echoed: it may carry a password.
            throw new ConfigException("shards." + name + ": not a valid URI (" + e.getReason() + ")");
        }
    }
}
