package dev.switchboard.server.config;

import dev.switchboard.api.ApiConfig;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an API node starts from, validated: it connects to every shard and serves HTTP on host:port.
 *
 * @param nodeId the node id (names its reply queue)
 * @param shards every shard of the cluster, name -> AMQP URI
 * @param host the address to listen on (default 127.0.0.1)
 * @param port the port to listen on, 0 for a free one (default 8080)
 */
public record ApiSettings(String nodeId, Map<String, URI> shards, String host, int port) {
    public ApiSettings {
        requireNodeId(nodeId);
        shards = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(shards, "shards")));
        if (host == null || host.isBlank()) {
            throw new ConfigException("host: must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("port: must be within 0..65535, got " + port);
        }
    }

    /** The settings a file (already overridden by flags) gives, with defaults for what it leaves out. */
    public static ApiSettings from(NodeConfigFile file) {
        return new ApiSettings(
                file.nodeId() == null ? NodeIds.unique() : file.nodeId(),
                Shards.parse(file.shards()),
                file.host() == null ? ApiConfig.DEFAULT_HOST : file.host(),
                file.port() == null ? ApiConfig.DEFAULT_PORT : file.port());
    }

    public AmqpSwitchConfig switchConfig() {
        return AmqpSwitchConfig.of(shards, nodeId);
    }

    public ApiConfig apiConfig() {
        return ApiConfig.defaults().withHost(host).withPort(port);
    }

    static void requireNodeId(String nodeId) {
        if (!SessionId.isValidPart(nodeId)) {
            throw new ConfigException("node-id: must be 1 to 64 of A-Z a-z 0-9 _ -, got: " + nodeId);
        }
    }
}
