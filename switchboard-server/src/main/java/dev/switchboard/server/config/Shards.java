package dev.switchboard.server.config;

import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
            throw ConfigException.refused(e);
        }
        return Collections.unmodifiableMap(shards);
    }

    /**
     * The {@code amqp-ca-file} key: the PEM file {@code amqps} brokers are trusted by, read now so that a missing
     * file or one without a certificate stops the node before it starts.
     */
    static Optional<Path> caFile(Optional<Path> file) {
        file.ifPresent(path -> trusting(
                AmqpSwitchConfig.of(Map.of("check", URI.create("amqps://check")), "check"), Optional.of(path)));
        return file;
    }

    /** {@code config} trusting the certificates of {@code caFile}, when given; a bad file is a ConfigException. */
    static AmqpSwitchConfig trusting(AmqpSwitchConfig config, Optional<Path> caFile) {
        if (caFile.isEmpty()) {
            return config;
        }
        try {
            return config.withTrustedCertificates(caFile.get());
        } catch (IllegalArgumentException e) {
            // The switch names its own key; the node's is amqp-ca-file.
            String message = e.getMessage();
            String reason = message == null ? e.toString() : message.replaceFirst("^trusted-certificates: ", "");
            throw new ConfigException("amqp-ca-file: " + reason, e);
        }
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
