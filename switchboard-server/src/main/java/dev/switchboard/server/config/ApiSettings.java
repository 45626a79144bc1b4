package dev.switchboard.server.config;

import dev.switchboard.api.ApiConfig;
import dev.switchboard.api.ApiLimits;
import dev.switchboard.api.ApiSecurity;
import dev.switchboard.api.OAuthConfig;
import dev.switchboard.api.TlsConfig;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * An API node's view of the {@link NodeConfig}: the rules between keys checked (once, in {@link #from}), and the
 * module configurations built from it. It connects to every shard and serves HTTP(S) on host:port. Secure by
 * configuration: allocate needs a bearer token of the {@code oauth} issuer, every later call a request MAC keyed
 * by the cluster secret (the same file as the backends'); there is no way to turn either off.
 */
public final class ApiSettings {
    /** {@code oauth.*}: how bearer tokens on allocate are checked; exactly one of jwksUri and jwksFile. */
    public record OAuth(String issuer, String audience, Optional<URI> jwksUri, Optional<Path> jwksFile) {}

    /** {@code tls.*}: HTTPS with a PKCS12 keystore and its password file, or a PEM chain and private key. */
    public record Tls(
            Optional<Path> keystore,
            Optional<Path> keystorePasswordFile,
            Optional<Path> certificate,
            Optional<Path> privateKey) {}

    private final NodeConfig config;
    private final String nodeId;
    private final Map<String, URI> shards;
    private final OAuth oauth;
    private final Optional<Tls> tls;
    private final Optional<Path> amqpCaFile;

    private ApiSettings(
            NodeConfig config,
            String nodeId,
            Map<String, URI> shards,
            OAuth oauth,
            Optional<Tls> tls,
            Optional<Path> amqpCaFile) {
        this.config = config;
        this.nodeId = nodeId;
        this.shards = shards;
        this.oauth = oauth;
        this.tls = tls;
        this.amqpCaFile = amqpCaFile;
    }

    /** Checks what an API node needs; a missing or inconsistent key is a ConfigException naming it. */
    public static ApiSettings from(NodeConfig config) {
        Map<String, URI> shards = Shards.parse(config.find(ConfigKeys.SHARDS).orElse(Map.of()));
        Optional<Path> amqpCaFile = Shards.caFile(config.find(ConfigKeys.AMQP_CA_FILE));
        if (config.find(ConfigKeys.CLUSTER_SECRET_FILE).isEmpty()) {
            throw new ConfigException("cluster-secret-file: required for an API node (request MAC keys derive from"
                    + " it); the same file as the backends'");
        }
        OAuth oauth = oauth(config);
        Optional<Tls> tls = config.hasSection("tls") ? Optional.of(tls(config)) : Optional.empty();
        String host = config.get(ConfigKeys.HOST);
        if (tls.isEmpty() && !config.get(ConfigKeys.ALLOW_PLAIN_HTTP) && !isLoopback(host)) {
            throw new ConfigException("host: " + host + " is not a loopback address and tls is not configured"
                    + " (bearer tokens and MAC keys would cross the network in clear); configure tls, or set"
                    + " allow-plain-http: true (e.g. behind a TLS-terminating proxy)");
        }
        if (config.get(ConfigKeys.AUDIT)
                && config.find(ConfigKeys.BOOTSTRAP_SERVERS).isEmpty()) {
            throw new ConfigException(
                    "bootstrap-servers: required for an API node while audit is on (it writes the"
                            + " audit stream to Kafka's __switchboard_audit); the backends' Kafka cluster, or set audit: false");
        }
        apiConfig(config);
        return new ApiSettings(
                config, config.find(ConfigKeys.NODE_ID).orElseGet(NodeIds::unique), shards, oauth, tls, amqpCaFile);
    }

    /** The HTTP server's configuration of a process that serves the API (an API node, standalone). */
    public static ApiConfig apiConfig(NodeConfig config) {
        try {
            return new ApiConfig(
                    config.get(ConfigKeys.HOST),
                    config.get(ConfigKeys.PORT),
                    config.get(ConfigKeys.REQUEST_TIMEOUT),
                    config.get(ConfigKeys.MAX_REQUEST_BYTES),
                    config.get(ConfigKeys.READ_WAIT_MARGIN),
                    new ApiLimits(
                            config.get(ConfigKeys.MAX_UNAUTHENTICATED_REQUEST_BYTES),
                            config.get(ConfigKeys.MAX_BODY_BYTES_IN_FLIGHT),
                            config.get(ConfigKeys.IDLE_TIMEOUT),
                            config.get(ConfigKeys.MIN_REQUEST_DATA_RATE),
                            config.get(ConfigKeys.MAX_CONNECTIONS),
                            config.get(ConfigKeys.MAX_CALLS_PER_PRINCIPAL),
                            config.get(ConfigKeys.HEADER_TIMEOUT),
                            config.get(ConfigKeys.LIMITS_MAX_QUEUE_DELAY)),
                    config.find(ConfigKeys.TCP_PORT)
                            .map(java.util.OptionalInt::of)
                            .orElse(java.util.OptionalInt.empty()),
                    config.get(ConfigKeys.MAX_STREAM_WINDOW));
        } catch (IllegalArgumentException e) {
            throw ConfigException.refused(e);
        }
    }

    public NodeConfig config() {
        return config;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Every shard of the cluster, name -> AMQP URI. */
    public Map<String, URI> shards() {
        return shards;
    }

    public String host() {
        return config.get(ConfigKeys.HOST);
    }

    public int port() {
        return config.get(ConfigKeys.PORT);
    }

    public Path clusterSecretFile() {
        return config.get(ConfigKeys.CLUSTER_SECRET_FILE);
    }

    /** The Kafka cluster the audit stream goes to, while {@code audit} is on. */
    public Optional<String> auditBootstrapServers() {
        return config.get(ConfigKeys.AUDIT) ? config.find(ConfigKeys.BOOTSTRAP_SERVERS) : Optional.empty();
    }

    /** The operator's Kafka client properties ({@code kafka}). */
    public Map<String, String> kafka() {
        return config.find(ConfigKeys.KAFKA).orElse(Map.of());
    }

    /** Without tls, serve plain HTTP on a host other than loopback anyway (warned about). */
    public boolean allowPlainHttp() {
        return config.get(ConfigKeys.ALLOW_PLAIN_HTTP);
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public OAuth oauth() {
        return oauth;
    }

    public Optional<Tls> tls() {
        return tls;
    }

    public Optional<Path> amqpCaFile() {
        return amqpCaFile;
    }

    public AmqpSwitchConfig switchConfig() {
        return Shards.trusting(
                AmqpSwitchConfig.of(shards, nodeId).withPresenceTimeout(config.get(ConfigKeys.PRESENCE_TIMEOUT)),
                amqpCaFile);
    }

    public ApiConfig apiConfig() {
        return apiConfig(config);
    }

    /** Reads the cluster secret, the JWK set file and the TLS password file; a bad one is a ConfigException. */
    public ApiSecurity security() {
        byte[] secret = SecretFiles.clusterSecret(clusterSecretFile());
        ApiSecurity security;
        try {
            security = ApiSecurity.of(oauthConfig(), secret);
            if (tls.isPresent()) {
                security = security.withTls(tlsConfig(tls.get()));
            }
        } catch (IllegalArgumentException e) {
            throw ConfigException.refused(e);
        }
        return security;
    }

    private OAuthConfig oauthConfig() {
        if (oauth.jwksFile().isPresent()) {
            String jwks = SecretFiles.text("oauth.jwks-file", oauth.jwksFile().get());
            return OAuthConfig.fixedKeys(oauth.issuer(), oauth.audience(), jwks);
        }
        return OAuthConfig.remote(
                oauth.issuer(), oauth.audience(), oauth.jwksUri().orElseThrow());
    }

    private static TlsConfig tlsConfig(Tls tls) {
        if (tls.keystore().isPresent()) {
            String password = SecretFiles.text(
                    "tls.keystore-password-file", tls.keystorePasswordFile().orElseThrow());
            return TlsConfig.pkcs12(tls.keystore().get(), password);
        }
        return TlsConfig.pem(tls.certificate().orElseThrow(), tls.privateKey().orElseThrow());
    }

    private static OAuth oauth(NodeConfig config) {
        if (!config.hasSection("oauth")) {
            throw new ConfigException("oauth: required for an API node, with issuer, audience, and jwks-uri or"
                    + " jwks-file (local-cluster writes one for its development issuer)");
        }
        String issuer = config.find(ConfigKeys.OAUTH_ISSUER)
                .orElseThrow(() -> new ConfigException("oauth.issuer: required (the exact iss of accepted tokens)"));
        String audience = config.find(ConfigKeys.OAUTH_AUDIENCE)
                .orElseThrow(
                        () -> new ConfigException("oauth.audience: required (a value the tokens' aud must contain)"));
        Optional<URI> jwksUri = config.find(ConfigKeys.OAUTH_JWKS_URI);
        Optional<Path> jwksFile = config.find(ConfigKeys.OAUTH_JWKS_FILE);
        if (jwksUri.isPresent() == jwksFile.isPresent()) {
            throw new ConfigException("oauth: needs exactly one of jwks-uri (the issuer's JWK set URL) and jwks-file"
                    + " (a JWK set document)");
        }
        return new OAuth(issuer, audience, jwksUri, jwksFile);
    }

    private static Tls tls(NodeConfig config) {
        Tls tls = new Tls(
                config.find(ConfigKeys.TLS_KEYSTORE),
                config.find(ConfigKeys.TLS_KEYSTORE_PASSWORD_FILE),
                config.find(ConfigKeys.TLS_CERTIFICATE),
                config.find(ConfigKeys.TLS_PRIVATE_KEY));
        boolean pem = tls.certificate().isPresent() || tls.privateKey().isPresent();
        if (tls.keystore().isPresent() == pem) {
            throw new ConfigException(
                    "tls: needs either keystore and keystore-password-file, or certificate and private-key");
        }
        if (pem && (tls.certificate().isEmpty() || tls.privateKey().isEmpty())) {
            throw new ConfigException("tls: certificate and private-key go together");
        }
        if (tls.keystore().isPresent() && tls.keystorePasswordFile().isEmpty()) {
            throw new ConfigException("tls.keystore-password-file: required with tls.keystore");
        }
        return tls;
    }
}
