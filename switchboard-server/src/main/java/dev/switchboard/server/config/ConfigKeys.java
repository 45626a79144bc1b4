package dev.switchboard.server.config;

import static dev.switchboard.server.config.Role.API;
import static dev.switchboard.server.config.Role.BACKEND;
import static dev.switchboard.server.config.Role.STANDALONE;

import dev.switchboard.api.ApiConfig;
import dev.switchboard.api.ApiLimits;
import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.backend.NodeLimits;
import dev.switchboard.backend.SessionLimits;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Every setting of every role, defined once: name, type, default, the roles that read it, description. The YAML
 * file, the {@code SWITCHBOARD_*} environment variables, the flags, {@code switchboard config} and
 * docs/configuration.md all follow this list ({@code ConfigurationDocTest} fails when the page and this list
 * disagree).
 *
 * <p>To add a key: one {@code define(...)} line here (keep the sections' order), read it where the role builds
 * its module's configuration ({@link BackendSettings#backendConfig}, {@link ApiSettings#apiConfig}, {@code
 * Standalone}) with {@code config.get(ConfigKeys.YOUR_KEY)}, and one line in docs/configuration.md.
 */
public final class ConfigKeys {
    private static final List<ConfigKey<?>> DEFINED = new ArrayList<>();
    private static final Pattern SECRET_PROPERTY = Pattern.compile("(?i).*(password|secret|jaas|token|credential).*");
    private static final SessionLimits LIMITS = SessionLimits.defaults();

    private ConfigKeys() {}

    // --- both cluster roles -------------------------------------------------------------------------------------

    public static final ConfigKey<Map<String, String>> SHARDS = define(ConfigKey.of(
                    "shards",
                    ConfigType.MAP,
                    null,
                    "shard name -> AMQP URI of its broker (amqp:// or amqps://); the same list on every node",
                    API,
                    BACKEND)
            .displayedAs(ConfigKeys::withoutPasswords));
    public static final ConfigKey<Path> AMQP_CA_FILE = define(ConfigKey.of(
            "amqp-ca-file",
            ConfigType.PATH,
            null,
            "PEM certificates amqps shard brokers are trusted by (default: the JVM's trust store)",
            API,
            BACKEND));
    public static final ConfigKey<String> NODE_ID = define(ConfigKey.of(
                    "node-id",
                    ConfigType.STRING,
                    null,
                    "the node's id, unique in the cluster (1 to 64 of A-Z a-z 0-9 _ -)",
                    API,
                    BACKEND)
            .defaultText("host-pid-random")
            .checked(ConfigKeys::nodeIdPart));
    public static final ConfigKey<Path> CLUSTER_SECRET_FILE = define(ConfigKey.of(
            "cluster-secret-file",
            ConfigType.PATH,
            null,
            "required: the secret that signs cursors and keys request MACs; the same file on every node",
            API,
            BACKEND));

    public static final ConfigKey<Boolean> AUDIT = define(ConfigKey.of(
            "audit",
            ConfigType.BOOLEAN,
            true,
            "write access events (allocate, dispose, expiry, refused calls, admin calls) as JSON to the Kafka topic"
                    + " __switchboard_audit (docs/operations.md)",
            API,
            BACKEND,
            STANDALONE));
    public static final ConfigKey<URI> TRACING_OTLP_ENDPOINT = define(ConfigKey.of(
                    "tracing.otlp-endpoint",
                    ConfigType.URL,
                    null,
                    "export spans over OTLP/HTTP to this URL (e.g. http://collector:4318/v1/traces); none: no spans"
                            + " are made, a request's traceparent still travels to Kafka",
                    API,
                    BACKEND,
                    STANDALONE)
            .checked(uri -> {
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("must be an http(s) URL, got: " + uri);
                }
            }));

    // --- backend ------------------------------------------------------------------------------------------------

    public static final ConfigKey<String> NODE_SHARD = define(ConfigKey.of(
            "node-shard",
            ConfigType.STRING,
            null,
            "the backend's shard (default: the only shard when there is one)",
            BACKEND));
    public static final ConfigKey<String> BOOTSTRAP_SERVERS = define(ConfigKey.of(
            "bootstrap-servers",
            ConfigType.STRING,
            null,
            "required: the Kafka cluster, host:port,... (API nodes write only the audit topic there)",
            API,
            BACKEND));
    public static final ConfigKey<Boolean> AUTO_CREATE_TOPICS = define(ConfigKey.of(
            "auto-create-topics",
            ConfigType.BOOLEAN,
            false,
            "a writer's allocate creates an unknown topic instead of answering TOPIC_NOT_FOUND (readers never do)",
            BACKEND));
    public static final ConfigKey<Integer> DEFAULT_PARTITIONS = define(ConfigKey.of(
                    "default-partitions",
                    ConfigType.INT,
                    BackendConfig.DEFAULT_PARTITIONS,
                    "partitions of an auto-created topic",
                    BACKEND)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> REPLICATION_FACTOR = define(ConfigKey.of(
                    "replication-factor",
                    ConfigType.INT,
                    BackendConfig.AUTO,
                    "replicas of every topic the backend creates (data, dead-letter and internal topics); 0: min(3,"
                            + " brokers)",
                    BACKEND)
            .checked(range(0, Short.MAX_VALUE)));
    public static final ConfigKey<Integer> MIN_INSYNC_REPLICAS = define(ConfigKey.of(
                    "min-insync-replicas",
                    ConfigType.INT,
                    BackendConfig.AUTO,
                    "min.insync.replicas of every topic the backend creates; 0: replication-factor - 1, at least 1",
                    BACKEND)
            .checked(range(0, Short.MAX_VALUE)));
    public static final ConfigKey<Map<String, String>> KAFKA = define(ConfigKey.of(
                    "kafka",
                    ConfigType.MAP,
                    null,
                    "Kafka client properties passed through to every client (SSL, SASL, ...)",
                    API,
                    BACKEND)
            .displayedAs(ConfigKeys::withoutSecretProperties));
    public static final ConfigKey<Integer> METRICS_PORT = define(ConfigKey.of(
                    "metrics-port",
                    ConfigType.INT,
                    9464,
                    "the backend's small HTTP port: /metrics (Prometheus), /health/live, /health/ready; 0 picks a free"
                            + " one",
                    BACKEND)
            .checked(range(0, 65535)));
    public static final ConfigKey<Long> TAIL_CACHE_BYTES = define(ConfigKey.of(
                    "tail-cache-bytes",
                    ConfigType.LONG,
                    BackendConfig.DEFAULT_TAIL_CACHE_BYTES,
                    "fan-out: bytes of recent records each tailed topic's shared reader keeps; 0 turns sharing off",
                    BACKEND,
                    STANDALONE)
            .checked(value -> {
                if (value < 0) {
                    throw new IllegalArgumentException("must not be negative, got " + value);
                }
            }));
    public static final ConfigKey<String> DEAD_LETTER_TOPIC = define(ConfigKey.of(
            "dead-letter-topic",
            ConfigType.STRING,
            BackendConfig.DEFAULT_DEAD_LETTER_TOPIC,
            "where records without a valid envelope are copied ({topic} stands for the read topic)",
            BACKEND));
    public static final ConfigKey<Integer> MAX_TRANSACTIONAL_PRODUCERS = define(ConfigKey.of(
                    "max-transactional-producers",
                    ConfigType.INT,
                    BackendConfig.DEFAULT_MAX_TRANSACTIONAL_PRODUCERS,
                    "exactly-once writers (each with a transactional producer) a node hosts at once; BUSY past it, 0"
                            + " turns exactly-once off",
                    BACKEND)
            .checked(range(0, 100_000)));

    public static final ConfigKey<Path> ENCRYPTION_KEYSTORE = define(ConfigKey.of(
            "encryption.keystore",
            ConfigType.PATH,
            null,
            "required: PKCS12 keystore of the key-encryption keys, the same on every backend",
            BACKEND));
    public static final ConfigKey<Path> ENCRYPTION_KEYSTORE_PASSWORD_FILE = define(ConfigKey.of(
            "encryption.keystore-password-file",
            ConfigType.PATH,
            null,
            "required: the file holding the keystore's password",
            BACKEND));
    public static final ConfigKey<Boolean> ENCRYPTION_CREATE_KEYSTORE = define(ConfigKey.of(
            "encryption.create-keystore",
            ConfigType.BOOLEAN,
            false,
            "create the keystore when it is missing (on one node only: the others must share its key)",
            BACKEND));
    public static final ConfigKey<String> ENCRYPTION_KEYS_TOPIC = define(ConfigKey.of(
            "encryption.keys-topic",
            ConfigType.STRING,
            EncryptionConfig.DEFAULT_KEYS_TOPIC,
            "the internal topic of wrapped data keys",
            BACKEND));
    public static final ConfigKey<Duration> ENCRYPTION_KEY_MAX_AGE = define(ConfigKey.of(
                    "encryption.key-max-age",
                    ConfigType.DURATION,
                    EncryptionConfig.DEFAULT_KEY_MAX_AGE,
                    "a data key is rotated after this long",
                    BACKEND)
            .checked(positive()));
    public static final ConfigKey<Long> ENCRYPTION_KEY_MAX_RECORDS = define(ConfigKey.of(
                    "encryption.key-max-records",
                    ConfigType.LONG,
                    EncryptionConfig.DEFAULT_KEY_MAX_RECORDS,
                    "a data key is rotated after sealing this many records (at most 2^32)",
                    BACKEND)
            .checked(value -> {
                if (value < 1 || value > EncryptionConfig.MAX_KEY_RECORDS) {
                    throw new IllegalArgumentException(
                            "must be within 1.." + EncryptionConfig.MAX_KEY_RECORDS + ", got " + value);
                }
            }));
    public static final ConfigKey<Boolean> ENCRYPTION_ACCEPT_UNSEALED = define(ConfigKey.of(
            "encryption.accept-unsealed",
            ConfigType.BOOLEAN,
            false,
            "deliver records without sb-enc as they are (migrating a plaintext topic); else they are dead-lettered",
            BACKEND));

    public static final ConfigKey<Boolean> ENCRYPTION_COMPRESS = define(ConfigKey.of(
            "encryption.compress",
            ConfigType.BOOLEAN,
            true,
            "LZ4-compress an event before sealing it when that saves a fifth (envelope version 2; every backend"
                    + " must read it: docs/operations.md)",
            BACKEND,
            STANDALONE));

    public static final ConfigKey<Integer> LIMITS_MAX_EVENTS_PER_READ = define(ConfigKey.of(
                    "limits.max-events-per-read",
                    ConfigType.INT,
                    LIMITS.maxEventsPerRead(),
                    "the most events one read returns",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_MAX_BYTES_PER_READ = define(ConfigKey.of(
                    "limits.max-bytes-per-read",
                    ConfigType.INT,
                    LIMITS.maxBytesPerRead(),
                    "the most bytes one read returns (at least one event regardless)",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_WRITE_WINDOW = define(ConfigKey.of(
                    "limits.write-window",
                    ConfigType.INT,
                    LIMITS.writeWindow(),
                    "chunks a writer may stage before it must commit",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_MAX_EVENTS_PER_CHUNK = define(ConfigKey.of(
                    "limits.max-events-per-chunk",
                    ConfigType.INT,
                    LIMITS.maxEventsPerChunk(),
                    "the most events in one written chunk",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_MAX_BYTES_PER_CHUNK = define(ConfigKey.of(
                    "limits.max-bytes-per-chunk",
                    ConfigType.INT,
                    LIMITS.maxBytesPerChunk(),
                    "the most bytes in one written chunk",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_MAX_EVENT_BYTES = define(ConfigKey.of(
                    "limits.max-event-bytes",
                    ConfigType.INT,
                    LIMITS.maxEventBytes(),
                    "the most bytes of one event (key, payload, headers); at most max-bytes-per-chunk",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Duration> LIMITS_SESSION_TTL = define(ConfigKey.of(
                    "limits.session-ttl",
                    ConfigType.DURATION,
                    LIMITS.sessionTtl(),
                    "an idle session is disposed after this long",
                    BACKEND,
                    STANDALONE)
            .checked(positive()));
    public static final ConfigKey<Duration> LIMITS_MAX_WAIT = define(ConfigKey.of(
                    "limits.max-wait",
                    ConfigType.DURATION,
                    LIMITS.maxWait(),
                    "the longest a read long-polls, and the longest a commit waits for Kafka",
                    BACKEND,
                    STANDALONE)
            .checked(positive()));
    public static final ConfigKey<Integer> LIMITS_PREFETCH_EVENTS = define(ConfigKey.of(
                    "limits.prefetch-events",
                    ConfigType.INT,
                    LIMITS.prefetchEvents(),
                    "events a read session may read ahead of its client",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_PREFETCH_BYTES = define(ConfigKey.of(
                    "limits.prefetch-bytes",
                    ConfigType.INT,
                    LIMITS.prefetchBytes(),
                    "bytes a read session may read ahead of its client (a single larger event is still read)",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Duration> LIMITS_DRAIN_TIMEOUT = define(ConfigKey.of(
                    "limits.drain-timeout",
                    ConfigType.DURATION,
                    LIMITS.drainTimeout(),
                    "how long a draining backend lets commits wait for Kafka before it spills what is not"
                            + " acknowledged; longer than limits.max-wait",
                    BACKEND,
                    STANDALONE)
            .checked(positive()));
    public static final ConfigKey<Integer> LIMITS_MAX_SESSIONS = define(ConfigKey.of(
                    "limits.max-sessions",
                    ConfigType.INT,
                    NodeLimits.DEFAULT_MAX_SESSIONS,
                    "sessions a backend hosts at once; more allocations get BUSY",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> LIMITS_MAX_SESSIONS_PER_PRINCIPAL = define(ConfigKey.of(
                    "limits.max-sessions-per-principal",
                    ConfigType.INT,
                    NodeLimits.DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
                    "sessions one principal (token subject) holds on a backend at once; more get BUSY",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Long> LIMITS_MAX_STAGED_BYTES = define(ConfigKey.of(
                    "limits.max-staged-bytes",
                    ConfigType.LONG,
                    NodeLimits.DEFAULT_MAX_STAGED_BYTES,
                    "bytes of written, uncommitted events a backend holds over all writers; more writes get BUSY",
                    BACKEND,
                    STANDALONE)
            .checked(atLeastLong(1)));

    public static final ConfigKey<Long> LIMITS_MAX_STAGED_BYTES_PER_PRINCIPAL = define(ConfigKey.of(
                    "limits.max-staged-bytes-per-principal",
                    ConfigType.LONG,
                    0L,
                    "bytes of written, uncommitted events one principal holds on a backend; more writes of that"
                            + " principal get BUSY naming it; 0: a quarter of limits.max-staged-bytes",
                    BACKEND,
                    STANDALONE)
            .checked(atLeastLong(0)));

    public static final ConfigKey<Long> LIMITS_MAX_PREFETCH_BYTES = define(ConfigKey.of(
                    "limits.max-prefetch-bytes",
                    ConfigType.LONG,
                    NodeLimits.DEFAULT_MAX_PREFETCH_BYTES,
                    "bytes of read buffers (read-ahead, tail caches) a backend holds over all readers; a read with"
                            + " nothing buffered gets BUSY past it",
                    BACKEND,
                    STANDALONE)
            .checked(atLeastLong(1)));

    public static final ConfigKey<Long> LIMITS_MAX_PREFETCH_BYTES_PER_PRINCIPAL = define(ConfigKey.of(
                    "limits.max-prefetch-bytes-per-principal",
                    ConfigType.LONG,
                    0L,
                    "bytes of read-ahead one principal's readers hold on a backend; past it that principal's reads"
                            + " with nothing read ahead get BUSY naming it; 0: a quarter of limits.max-prefetch-bytes",
                    BACKEND,
                    STANDALONE)
            .checked(atLeastLong(0)));
    public static final ConfigKey<Integer> LIMITS_MAX_REQUESTS_PER_PRINCIPAL = define(ConfigKey.of(
                    "limits.max-requests-per-principal",
                    ConfigType.INT,
                    NodeLimits.DEFAULT_MAX_REQUESTS_PER_PRINCIPAL,
                    "requests of one principal a backend handles at once, long polls included; more get BUSY",
                    BACKEND,
                    STANDALONE)
            .checked(atLeast(1)));

    public static final ConfigKey<Duration> LIMITS_MAX_QUEUE_DELAY = define(ConfigKey.of(
                    "limits.max-queue-delay",
                    ConfigType.DURATION,
                    NodeLimits.DEFAULT_MAX_QUEUE_DELAY,
                    "how long a node's requests may wait (backend and API node, each its own): while even its"
                            + " quickest writes and acks of the last second took longer, new writes, reads and"
                            + " allocations get BUSY",
                    API,
                    BACKEND,
                    STANDALONE)
            .checked(value -> {
                if (value.toMillis() < 1) {
                    throw new IllegalArgumentException("must be at least 1ms, got " + value);
                }
            }));

    // --- API ----------------------------------------------------------------------------------------------------

    public static final ConfigKey<String> HOST = define(ConfigKey.of(
            "host", ConfigType.STRING, ApiConfig.DEFAULT_HOST, "the address the API listens on", API, STANDALONE));
    public static final ConfigKey<Boolean> ALLOW_PLAIN_HTTP = define(ConfigKey.of(
            "allow-plain-http",
            ConfigType.BOOLEAN,
            false,
            "without tls, serve plain HTTP on a host other than loopback anyway (e.g. behind a TLS-terminating proxy)",
            API));
    public static final ConfigKey<Integer> PORT = define(ConfigKey.of(
                    "port",
                    ConfigType.INT,
                    ApiConfig.DEFAULT_PORT,
                    "the port the API listens on; 0 picks a free one",
                    API,
                    STANDALONE)
            .checked(range(0, 65535)));
    public static final ConfigKey<Integer> TCP_PORT = define(ConfigKey.of(
                    "tcp-port",
                    ConfigType.INT,
                    null,
                    "the binary TCP port (sb://, sbs:// with tls) on the same host, beside HTTP; unset = not served,"
                            + " 0 picks a free one",
                    API,
                    STANDALONE)
            .checked(range(0, 65535)));
    public static final ConfigKey<Integer> MAX_STREAM_WINDOW = define(ConfigKey.of(
                    "max-stream-window",
                    ConfigType.INT,
                    ApiConfig.DEFAULT_MAX_STREAM_WINDOW,
                    "the largest credit window (batches pushed and not yet acknowledged) of a streamed read on the"
                            + " TCP port; a stream asking for more gets this many",
                    API,
                    STANDALONE)
            .checked(range(1, ApiConfig.MAX_MAX_STREAM_WINDOW)));
    public static final ConfigKey<Duration> REQUEST_TIMEOUT = define(ConfigKey.of(
                    "request-timeout",
                    ConfigType.DURATION,
                    ApiConfig.DEFAULT_REQUEST_TIMEOUT,
                    "how long a call other than read may take before it answers UNAVAILABLE",
                    API,
                    STANDALONE)
            .checked(positive()));
    public static final ConfigKey<Integer> MAX_REQUEST_BYTES = define(ConfigKey.of(
                    "max-request-bytes",
                    ConfigType.INT,
                    ApiConfig.DEFAULT_MAX_REQUEST_BYTES,
                    "the largest request body, after gzip; larger bodies get 413",
                    API,
                    STANDALONE)
            .checked(range(1, ApiConfig.MAX_MAX_REQUEST_BYTES)));
    public static final ConfigKey<Duration> READ_WAIT_MARGIN = define(ConfigKey.of(
                    "read-wait-margin",
                    ConfigType.DURATION,
                    ApiConfig.DEFAULT_READ_WAIT_MARGIN,
                    "added to a read's long-poll wait to get its deadline",
                    API,
                    STANDALONE)
            .checked(value -> {
                if (value.isNegative()) {
                    throw new IllegalArgumentException("must not be negative, got " + value);
                }
            }));
    public static final ConfigKey<Duration> PRESENCE_TIMEOUT = define(ConfigKey.of(
                    "presence-timeout",
                    ConfigType.DURATION,
                    AmqpSwitchConfig.DEFAULT_PRESENCE_TIMEOUT,
                    "how long a backend node may be silent (no presence beat through its shard's broker) before this"
                            + " API node takes it for gone; at least three of the node's beat intervals",
                    API)
            .checked(value -> {
                if (value.toMillis() < 100 || value.compareTo(Duration.ofMinutes(10)) > 0) {
                    throw new IllegalArgumentException("must be 100ms to 10 minutes, got " + value);
                }
            }));
    public static final ConfigKey<Integer> MAX_UNAUTHENTICATED_REQUEST_BYTES = define(ConfigKey.of(
                    "max-unauthenticated-request-bytes",
                    ConfigType.INT,
                    ApiLimits.DEFAULT_MAX_UNAUTHENTICATED_REQUEST_BYTES,
                    "the largest body of a request without request MAC headers (allocate, strangers); larger get 413",
                    API,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Long> MAX_BODY_BYTES_IN_FLIGHT = define(ConfigKey.of(
                    "max-body-bytes-in-flight",
                    ConfigType.LONG,
                    ApiLimits.DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
                    "request body bytes an API node holds at once; past it 429 with Retry-After (the SDK's BUSY)",
                    API,
                    STANDALONE)
            .checked(atLeastLong(1)));
    public static final ConfigKey<Duration> IDLE_TIMEOUT = define(ConfigKey.of(
                    "idle-timeout",
                    ConfigType.DURATION,
                    ApiLimits.DEFAULT_IDLE_TIMEOUT,
                    "a connection silent this long outside a call (headers, body, keep-alive) is closed",
                    API,
                    STANDALONE)
            .checked(positive()));
    public static final ConfigKey<Duration> HEADER_TIMEOUT = define(ConfigKey.of(
                    "header-timeout",
                    ConfigType.DURATION,
                    ApiLimits.DEFAULT_HEADER_TIMEOUT,
                    "a request head (HTTP headers; a TCP frame's head) not whole this long after its first byte"
                            + " gets its connection closed, however steadily it arrives",
                    API,
                    STANDALONE)
            .checked(positive()));
    public static final ConfigKey<Long> MIN_REQUEST_DATA_RATE = define(ConfigKey.of(
                    "min-request-data-rate",
                    ConfigType.LONG,
                    ApiLimits.DEFAULT_MIN_REQUEST_DATA_RATE,
                    "bytes/s a body must arrive at after its first second, else 408; 0 turns it off",
                    API,
                    STANDALONE)
            .checked(atLeastLong(0)));
    public static final ConfigKey<Integer> MAX_CONNECTIONS = define(ConfigKey.of(
                    "max-connections",
                    ConfigType.INT,
                    ApiLimits.DEFAULT_MAX_CONNECTIONS,
                    "connections an API node accepts at once; more wait in the kernel's backlog",
                    API,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<Integer> MAX_CALLS_PER_PRINCIPAL = define(ConfigKey.of(
                    "max-calls-per-principal",
                    ConfigType.INT,
                    ApiLimits.DEFAULT_MAX_CALLS_PER_PRINCIPAL,
                    "calls of one principal (token subject) an API node handles at once, long polls and the backend"
                            + " calls of streamed reads included;"
                            + " past it BUSY with retry-after",
                    API,
                    STANDALONE)
            .checked(atLeast(1)));
    public static final ConfigKey<String> OAUTH_ISSUER = define(
            ConfigKey.of("oauth.issuer", ConfigType.STRING, null, "required: the exact iss of accepted tokens", API));
    public static final ConfigKey<String> OAUTH_AUDIENCE = define(ConfigKey.of(
            "oauth.audience", ConfigType.STRING, null, "required: a value the tokens' aud must contain", API));
    public static final ConfigKey<URI> OAUTH_JWKS_URI = define(ConfigKey.of(
                    "oauth.jwks-uri", ConfigType.URL, null, "the issuer's JWK set URL (or oauth.jwks-file)", API)
            .checked(uri -> {
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("must be an http(s) URL, got: " + uri);
                }
            }));
    public static final ConfigKey<Path> OAUTH_JWKS_FILE = define(
            ConfigKey.of("oauth.jwks-file", ConfigType.PATH, null, "a JWK set document (or oauth.jwks-uri)", API));
    public static final ConfigKey<Path> TLS_KEYSTORE = define(ConfigKey.of(
            "tls.keystore", ConfigType.PATH, null, "HTTPS: a PKCS12 keystore (with tls.keystore-password-file)", API));
    public static final ConfigKey<Path> TLS_KEYSTORE_PASSWORD_FILE = define(ConfigKey.of(
            "tls.keystore-password-file", ConfigType.PATH, null, "the file holding the TLS keystore's password", API));
    public static final ConfigKey<Path> TLS_CERTIFICATE = define(ConfigKey.of(
            "tls.certificate", ConfigType.PATH, null, "HTTPS: a PEM certificate chain (with tls.private-key)", API));
    public static final ConfigKey<Path> TLS_PRIVATE_KEY =
            define(ConfigKey.of("tls.private-key", ConfigType.PATH, null, "HTTPS: a PEM private key", API));

    // --- standalone ---------------------------------------------------------------------------------------------

    public static final ConfigKey<Path> DATA_DIR = define(ConfigKey.of(
            "data-dir",
            ConfigType.PATH,
            Path.of("switchboard-data"),
            "standalone: where Kafka's data and the keys live; backend: the node's own directory, whose spill/"
                    + " holds what a drain could not get acknowledged by Kafka, re-injected on the next start",
            BACKEND,
            STANDALONE));
    public static final ConfigKey<Boolean> TLS_SELF_SIGNED = define(ConfigKey.of(
            "tls-self-signed",
            ConfigType.BOOLEAN,
            false,
            "serve HTTPS with a self-signed certificate kept in the data dir's tls/ directory",
            STANDALONE));

    /** Every key, in definition order. */
    public static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(DEFINED);
    }

    /** The key named {@code name}, if there is one. */
    public static java.util.Optional<ConfigKey<?>> named(String name) {
        return DEFINED.stream().filter(key -> key.name().equals(name)).findFirst();
    }

    private static <T> ConfigKey<T> define(ConfigKey<T> key) {
        if (named(key.name()).isPresent()) {
            throw new IllegalStateException("config key defined twice: " + key.name());
        }
        DEFINED.add(key);
        return key;
    }

    private static Consumer<Integer> atLeast(int minimum) {
        return value -> {
            if (value < minimum) {
                throw new IllegalArgumentException("must be at least " + minimum + ", got " + value);
            }
        };
    }

    private static Consumer<Long> atLeastLong(long minimum) {
        return value -> {
            if (value < minimum) {
                throw new IllegalArgumentException("must be at least " + minimum + ", got " + value);
            }
        };
    }

    private static Consumer<Integer> range(int minimum, int maximum) {
        return value -> {
            if (value < minimum || value > maximum) {
                throw new IllegalArgumentException("must be within " + minimum + ".." + maximum + ", got " + value);
            }
        };
    }

    private static Consumer<Duration> positive() {
        return value -> {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("must be positive, got " + value);
            }
        };
    }

    private static void nodeIdPart(String nodeId) {
        if (!SessionId.isValidPart(nodeId)) {
            throw new IllegalArgumentException("must be 1 to 64 of A-Z a-z 0-9 _ -, got: " + nodeId);
        }
    }

    private static String withoutPasswords(Map<String, String> shards) {
        Map<String, String> shown = new LinkedHashMap<>();
        shards.forEach((name, uri) -> shown.put(name, uri.replaceFirst("^([a-z]+://[^:@/]*):[^@/]*@", "$1:***@")));
        return ConfigType.MAP.show(shown);
    }

    private static String withoutSecretProperties(Map<String, String> properties) {
        Map<String, String> shown = new LinkedHashMap<>();
        properties.forEach(
                (name, value) -> shown.put(name, SECRET_PROPERTY.matcher(name).matches() ? "***" : value));
        return ConfigType.MAP.show(shown);
    }
}
