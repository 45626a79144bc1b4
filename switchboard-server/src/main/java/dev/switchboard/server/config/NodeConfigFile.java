package dev.switchboard.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The YAML configuration file of a cluster node, as written: every key optional, kebab-case, unknown keys
 * refused (a typo must not pass silently). One file may serve every node of a cluster; each role reads the
 * keys it uses ({@link BackendSettings#from}, {@link ApiSettings#from}) and ignores the others'. Flags
 * override the file through {@link #overriddenBy}.
 *
 * <pre>
 * shards:                      # both roles: shard name -> AMQP URI of its broker
 *   s0: amqp://user:pass@broker-a:5672/switchboard
 *   s1: amqp://user:pass@broker-b:5672/switchboard
 * node-id: backend-a-1         # both roles; default: host-pid-random
 * node-shard: s0               # backend: its shard; default: the only shard when there is one
 * bootstrap-servers: kafka:9092                    # backend
 * cluster-secret-file: /etc/switchboard/secret     # backend: signs cursors, the same file on every backend
 * auto-create-topics: false    # backend
 * kafka: {security.protocol: SSL}                  # backend: Kafka client properties passed through
 * host: 127.0.0.1              # api
 * port: 8080                   # api; 0 picks a free port
 * </pre>
 */
public record NodeConfigFile(
        @JsonProperty("shards") Map<String, String> shards,
        @JsonProperty("node-id") String nodeId,
        @JsonProperty("node-shard") String nodeShard,
        @JsonProperty("bootstrap-servers") String bootstrapServers,
        @JsonProperty("cluster-secret-file") String clusterSecretFile,
        @JsonProperty("auto-create-topics") Boolean autoCreateTopics,
        @JsonProperty("kafka") Map<String, String> kafka,
        @JsonProperty("host") String host,
        @JsonProperty("port") Integer port) {

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public NodeConfigFile {
        shards = shards == null ? Map.of() : new LinkedHashMap<>(shards);
        kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
    }

    /** A file with nothing set: every value comes from flags or defaults. */
    public static NodeConfigFile empty() {
        return new NodeConfigFile(null, null, null, null, null, null, null, null, null);
    }

    /** Reads a YAML file; a missing, unreadable or malformed file, or an unknown key, is a ConfigException. */
    public static NodeConfigFile load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses YAML text; {@code source} names it in error messages. */
    public static NodeConfigFile parse(String text, String source) {
        if (text.isBlank()) {
            return empty();
        }
        try {
            NodeConfigFile parsed = YAML.readValue(text, NodeConfigFile.class);
            return parsed == null ? empty() : parsed;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(
                    source + ": unknown key '" + e.getPropertyName() + "' (known keys: " + knownKeys(e) + ")");
        } catch (JsonProcessingException e) {
            String where =
                    e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(source + ": not a valid configuration" + where + ": " + e.getOriginalMessage());
        }
    }

    /** This file with every value that {@code flags} sets replacing the file's; flag shards replace all shards. */
    public NodeConfigFile overriddenBy(NodeConfigFile flags) {
        return new NodeConfigFile(
                flags.shards.isEmpty() ? shards : flags.shards,
                either(flags.nodeId, nodeId),
                either(flags.nodeShard, nodeShard),
                either(flags.bootstrapServers, bootstrapServers),
                either(flags.clusterSecretFile, clusterSecretFile),
                either(flags.autoCreateTopics, autoCreateTopics),
                flags.kafka.isEmpty() ? kafka : flags.kafka,
                either(flags.host, host),
                either(flags.port, port));
    }

    private static <T> T either(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    private static String knownKeys(UnrecognizedPropertyException e) {
        return e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }
}
