package dev.switchboard.switching.amqp;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.core.tls.TrustedCertificates;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of an {@link AmqpSwitch}. Validated on construction; messages name the key.
 *
 * @param shards shard name -> AMQP URI of its broker ({@code amqp://user:pass@host:port/vhost}, or
 *     {@code amqps://} for TLS with host name verification); in the order given
 * @param nodeId this process's node id (an API node's id; backend nodes bring their own with their endpoint)
 * @param apiSide true for an API node: connect to every shard at start and route requests; false for a
 *     backend-only process, which connects only to the shards of the nodes it attaches
 * @param prefetch how many allocation requests a backend node handles at once (competing consumers: a busy
 *     node leaves new sessions to the others); 1 to 100
 * @param heartbeat how often a backend node announces its presence
 * @param presenceTimeout (API side) how long a backend node may be silent before it is taken for gone (its
 *     sessions' requests then answer SESSION_LOST and it gets no new sessions); at least three of the node's own
 *     beat intervals are allowed whatever this says. Silence is judged in the order the broker delivers beats, so
 *     a starved API node does not mistake its own lateness for a node's silence. 100ms to 10 minutes
 * @param trustedCertificates a PEM file of the certificates {@code amqps} connections trust (a private CA, or a
 *     self-signed broker), instead of the JVM's default trust store; read on construction (a missing file or one
 *     without a certificate is refused) and again when the switch starts
 */
public record AmqpSwitchConfig(
        Map<String, URI> shards,
        String nodeId,
        boolean apiSide,
        int prefetch,
        Duration heartbeat,
        Duration presenceTimeout,
        Optional<Path> trustedCertificates) {
    public static final int DEFAULT_PREFETCH = 2;
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_PRESENCE_TIMEOUT = Duration.ofSeconds(3);

    public AmqpSwitchConfig {
        Objects.requireNonNull(shards, "shards");
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("shards: at least one shard is needed");
        }
        shards.forEach(AmqpSwitchConfig::requireShard);
        shards = Collections.unmodifiableMap(new LinkedHashMap<>(shards));
        if (!SessionId.isValidPart(nodeId)) {
            throw new IllegalArgumentException("node-id: must be 1 to 64 of A-Z a-z 0-9 _ -, got: " + nodeId);
        }
        if (prefetch < 1 || prefetch > 100) {
            throw new IllegalArgumentException("prefetch: must be 1 to 100, got: " + prefetch);
        }
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.toMillis() < 10 || heartbeat.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("heartbeat: must be 10ms to 1 minute, got: " + heartbeat);
        }
        Objects.requireNonNull(presenceTimeout, "presence-timeout");
        if (presenceTimeout.toMillis() < 100 || presenceTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException(
                    "presence-timeout: must be 100ms to 10 minutes, got: " + presenceTimeout);
        }
        trustedCertificates = trustedCertificates == null ? Optional.empty() : trustedCertificates;
        trustedCertificates.ifPresent(AmqpSwitchConfig::requireCertificates);
    }

    /** An API node (which may also attach backend nodes) with the default prefetch and heartbeat. */
    public static AmqpSwitchConfig of(Map<String, URI> shards, String nodeId) {
        return new AmqpSwitchConfig(
                shards, nodeId, true, DEFAULT_PREFETCH, DEFAULT_HEARTBEAT, DEFAULT_PRESENCE_TIMEOUT, Optional.empty());
    }

    /** The same configuration for a backend-only process. */
    public AmqpSwitchConfig backendOnly() {
        return new AmqpSwitchConfig(shards, nodeId, false, prefetch, heartbeat, presenceTimeout, trustedCertificates);
    }

    public AmqpSwitchConfig withHeartbeat(Duration value) {
        return new AmqpSwitchConfig(shards, nodeId, apiSide, prefetch, value, presenceTimeout, trustedCertificates);
    }

    public AmqpSwitchConfig withPrefetch(int value) {
        return new AmqpSwitchConfig(shards, nodeId, apiSide, value, heartbeat, presenceTimeout, trustedCertificates);
    }

    public AmqpSwitchConfig withPresenceTimeout(Duration value) {
        return new AmqpSwitchConfig(shards, nodeId, apiSide, prefetch, heartbeat, value, trustedCertificates);
    }

    /**
     * The same configuration whose {@code amqps} connections trust exactly the certificates of {@code pemFile}
     * (with host name verification), instead of the JVM's default trust store.
     */
    public AmqpSwitchConfig withTrustedCertificates(Path pemFile) {
        Objects.requireNonNull(pemFile, "pemFile");
        return new AmqpSwitchConfig(
                shards, nodeId, apiSide, prefetch, heartbeat, presenceTimeout, Optional.of(pemFile));
    }

    private static void requireCertificates(Path pemFile) {
        try {
            TrustedCertificates.sslContext(pemFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trusted-certificates: " + e.getMessage(), e);
        }
    }

    private static void requireShard(String name, URI uri) {
        if (!SessionId.isValidPart(name)) {
            throw new IllegalArgumentException("shards: a shard name must be 1 to 64 of A-Z a-z 0-9 _ -, got: " + name);
        }
        Objects.requireNonNull(uri, () -> "shards." + name + ": URI is missing");
        String scheme = uri.getScheme();
        if (!"amqp".equalsIgnoreCase(scheme) && !"amqps".equalsIgnoreCase(scheme)) {
            // The URI is not echoed: it may carry a password.
            throw new IllegalArgumentException("shards." + name + ": the URI must start with amqp:// or amqps://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("shards." + name + ": the URI names no host");
        }
    }
}
