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
 *   s1: amqps://user:pass@broker-b:5671/switchboard
 * amqp-ca-file: /etc/switchboard/amqp-ca.pem      # both: amqps brokers are trusted by this PEM file only
 *                              # (default: the JVM's trust store); host names are verified either way
 * node-id: backend-a-1         # both roles; default: host-pid-random
 * node-shard: s0               # backend: its shard; default: the only shard when there is one
 * bootstrap-servers: kafka:9092                    # backend
 * cluster-secret-file: /etc/switchboard/secret     # both: cursors and request MAC keys, the same file everywhere
 * auto-create-topics: false    # backend
 * kafka: {security.protocol: SSL}                  # backend: Kafka client properties passed through
 * tail-cache-bytes: 8388608    # backend: fan-out cache per tailed topic; 0: every reader reads Kafka on its own
 * dead-letter-topic: "{topic}.sb-dlq"              # backend: where records without a valid envelope are copied
 * encryption:                  # backend, required: encryption at rest, the same keystore on every backend
 *   keystore: /etc/switchboard/kek.p12
 *   keystore-password-file: /etc/switchboard/kek.password
 *   # keys-topic: __switchboard_keys, key-max-age: PT24H, key-max-records: 16777216, create-keystore: false
 *   # accept-unsealed: false   (true: deliver records without sb-enc, for migrating a plaintext topic)
 * host: 127.0.0.1              # api
 * port: 8080                   # api; 0 picks a free port
 * oauth:                       # api, required: who may allocate
 *   issuer: https://issuer.example.com/
 *   audience: switchboard
 *   jwks-uri: https://issuer.example.com/.well-known/jwks.json   # or jwks-file: a JWK set document
 * tls:                         # api, optional: HTTPS
 *   keystore: /etc/switchboard/api.p12             # and keystore-password-file; or certificate + private-key
 * allow-plain-http: false      # api: without tls, a host other than loopback is refused unless this is true
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
        @JsonProperty("port") Integer port,
        @JsonProperty("oauth") OAuth oauth,
        @JsonProperty("tls") Tls tls,
        @JsonProperty("encryption") Encryption encryption,
        @JsonProperty("amqp-ca-file") String amqpCaFile,
        @JsonProperty("tail-cache-bytes") Long tailCacheBytes,
        @JsonProperty("dead-letter-topic") String deadLetterTopic,
        @JsonProperty("allow-plain-http") Boolean allowPlainHttp) {

    /** {@code oauth:} how an API node checks bearer tokens on allocate. */
    public record OAuth(
            @JsonProperty("issuer") String issuer,
            @JsonProperty("audience") String audience,
            @JsonProperty("jwks-uri") String jwksUri,
            @JsonProperty("jwks-file") String jwksFile) {}

    /** {@code tls:} HTTPS for an API node: a PKCS12 keystore, or PEM certificate chain and private key. */
    public record Tls(
            @JsonProperty("keystore") String keystore,
            @JsonProperty("keystore-password-file") String keystorePasswordFile,
            @JsonProperty("certificate") String certificate,
            @JsonProperty("private-key") String privateKey) {}

    /** {@code encryption:} a backend's encryption at rest with the {@code local} key management service. */
    public record Encryption(
            @JsonProperty("keystore") String keystore,
            @JsonProperty("keystore-password-file") String keystorePasswordFile,
            @JsonProperty("create-keystore") Boolean createKeystore,
            @JsonProperty("keys-topic") String keysTopic,
            @JsonProperty("key-max-age") String keyMaxAge,
            @JsonProperty("key-max-records") Long keyMaxRecords,
            @JsonProperty("accept-unsealed") Boolean acceptUnsealed) {}

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public NodeConfigFile {
        shards = shards == null ? Map.of() : new LinkedHashMap<>(shards);
        kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
    }

    /** A file with nothing set: every value comes from flags or defaults. */
    public static NodeConfigFile empty() {
        return new NodeConfigFile(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
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
            throw new ConfigException(source + ": unknown key '" + keyPath(e) + "' (known keys: " + knownKeys(e) + ")");
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
                either(flags.port, port),
                either(flags.oauth, oauth),
                either(flags.tls, tls),
                either(flags.encryption, encryption),
                either(flags.amqpCaFile, amqpCaFile),
                either(flags.tailCacheBytes, tailCacheBytes),
                either(flags.deadLetterTopic, deadLetterTopic),
                either(flags.allowPlainHttp, allowPlainHttp));
    }

    private static <T> T either(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    /** The unknown key with its parents, e.g. {@code oauth.jwks}. */
    private static String keyPath(UnrecognizedPropertyException e) {
        return e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() == null ? "[" + reference.getIndex() + "]" : reference.getFieldName())
                .collect(Collectors.joining("."));
    }

    private static String knownKeys(UnrecognizedPropertyException e) {
        return e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }
}
