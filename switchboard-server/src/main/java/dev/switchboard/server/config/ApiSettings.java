package dev.switchboard.server.config;

import dev.switchboard.api.ApiConfig;
import dev.switchboard.api.ApiSecurity;
import dev.switchboard.api.OAuthConfig;
import dev.switchboard.api.TlsConfig;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an API node starts from, validated: it connects to every shard and serves HTTP(S) on host:port. Secure by
 * configuration: allocate needs a bearer token of the {@code oauth} issuer, every later call a request MAC keyed
 * by the cluster secret (the same file as the backends'); there is no way to turn either off.
 *
 * @param nodeId the node id (names its reply queue)
 * @param shards every shard of the cluster, name -> AMQP URI
 * @param host the address to listen on (default 127.0.0.1)
 * @param port the port to listen on, 0 for a free one (default 8080)
 * @param clusterSecretFile the cluster secret, from which session MAC keys derive
 * @param oauth how bearer tokens are checked
 * @param tls HTTPS instead of HTTP, when present
 * @param amqpCaFile the PEM certificates {@code amqps} shard brokers are trusted by, instead of the JVM's trust
 *     store
 * @param allowPlainHttp without tls, serve plain HTTP on a host other than loopback anyway (warned about)
 */
public record ApiSettings(
        String nodeId,
        Map<String, URI> shards,
        String host,
        int port,
        Path clusterSecretFile,
        NodeConfigFile.OAuth oauth,
        Optional<NodeConfigFile.Tls> tls,
        Optional<Path> amqpCaFile,
        boolean allowPlainHttp) {
    public ApiSettings {
        requireNodeId(nodeId);
        shards = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(shards, "shards")));
        if (host == null || host.isBlank()) {
            throw new ConfigException("host: must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("port: must be within 0..65535, got " + port);
        }
        if (clusterSecretFile == null) {
            throw new ConfigException("cluster-secret-file: required for an API node (request MAC keys derive from"
                    + " it); the same file as the backends'");
        }
        requireOAuth(oauth);
        tls = tls == null ? Optional.empty() : tls;
        tls.ifPresent(ApiSettings::requireTls);
        amqpCaFile = amqpCaFile == null ? Optional.empty() : amqpCaFile;
        if (tls.isEmpty() && !allowPlainHttp && !isLoopback(host)) {
            throw new ConfigException("host: " + host + " is not a loopback address and tls is not configured"
                    + " (bearer tokens and MAC keys would cross the network in clear); configure tls, or set"
                    + " allow-plain-http: true (e.g. behind a TLS-terminating proxy)");
        }
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

    /** The settings a file (already overridden by flags) gives, with defaults for what it leaves out. */
    public static ApiSettings from(NodeConfigFile file) {
        return new ApiSettings(
                file.nodeId() == null ? NodeIds.unique() : file.nodeId(),
                Shards.parse(file.shards()),
                file.host() == null ? ApiConfig.DEFAULT_HOST : file.host(),
                file.port() == null ? ApiConfig.DEFAULT_PORT : file.port(),
                file.clusterSecretFile() == null ? null : Path.of(file.clusterSecretFile()),
                file.oauth(),
                Optional.ofNullable(file.tls()),
                Shards.caFile(file.amqpCaFile()),
                Boolean.TRUE.equals(file.allowPlainHttp()));
    }

    public AmqpSwitchConfig switchConfig() {
        return Shards.trusting(AmqpSwitchConfig.of(shards, nodeId), amqpCaFile);
    }

    public ApiConfig apiConfig() {
        return ApiConfig.defaults().withHost(host).withPort(port);
    }

    /** Reads the cluster secret, the JWK set file and the TLS password file; a bad one is a ConfigException. */
    public ApiSecurity security() {
        byte[] secret = SecretFiles.clusterSecret(clusterSecretFile);
        ApiSecurity security;
        try {
            security = ApiSecurity.of(oauthConfig(), secret);
            if (tls.isPresent()) {
                security = security.withTls(tlsConfig(tls.get()));
            }
            if (allowPlainHttp) {
                security = security.allowingPlainHttp();
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        return security;
    }

    private OAuthConfig oauthConfig() {
        if (oauth.jwksFile() != null) {
            String jwks = SecretFiles.text("oauth.jwks-file", Path.of(oauth.jwksFile()));
            return OAuthConfig.fixedKeys(oauth.issuer(), oauth.audience(), jwks);
        }
        return OAuthConfig.remote(oauth.issuer(), oauth.audience(), URI.create(oauth.jwksUri()));
    }

    private static TlsConfig tlsConfig(NodeConfigFile.Tls tls) {
        if (tls.keystore() != null) {
            String password = SecretFiles.text("tls.keystore-password-file", Path.of(tls.keystorePasswordFile()));
            return TlsConfig.pkcs12(Path.of(tls.keystore()), password);
        }
        return TlsConfig.pem(Path.of(tls.certificate()), Path.of(tls.privateKey()));
    }

    private static void requireOAuth(NodeConfigFile.OAuth oauth) {
        String needed = "oauth: required for an API node, with issuer, audience, and jwks-uri or jwks-file"
                + " (local-cluster writes one for its development issuer)";
        if (oauth == null) {
            throw new ConfigException(needed);
        }
        if (oauth.issuer() == null || oauth.issuer().isBlank()) {
            throw new ConfigException("oauth.issuer: required (the exact iss of accepted tokens)");
        }
        if (oauth.audience() == null || oauth.audience().isBlank()) {
            throw new ConfigException("oauth.audience: required (a value the tokens' aud must contain)");
        }
        if ((oauth.jwksUri() == null) == (oauth.jwksFile() == null)) {
            throw new ConfigException("oauth: needs exactly one of jwks-uri (the issuer's JWK set URL) and jwks-file"
                    + " (a JWK set document)");
        }
        if (oauth.jwksUri() != null) {
            try {
                URI uri = new URI(oauth.jwksUri());
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                    throw new ConfigException("oauth.jwks-uri: must be an http(s) URL, got: " + oauth.jwksUri());
                }
            } catch (URISyntaxException e) {
                throw new ConfigException("oauth.jwks-uri: not a URL: " + oauth.jwksUri());
            }
        }
    }

    private static void requireTls(NodeConfigFile.Tls tls) {
        boolean pem = tls.certificate() != null || tls.privateKey() != null;
        if ((tls.keystore() != null) == pem) {
            throw new ConfigException(
                    "tls: needs either keystore and keystore-password-file, or certificate and" + " private-key");
        }
        if (pem && (tls.certificate() == null || tls.privateKey() == null)) {
            throw new ConfigException("tls: certificate and private-key go together");
        }
        if (tls.keystore() != null && tls.keystorePasswordFile() == null) {
            throw new ConfigException("tls.keystore-password-file: required with tls.keystore");
        }
    }

    static void requireNodeId(String nodeId) {
        if (!SessionId.isValidPart(nodeId)) {
            throw new ConfigException("node-id: must be 1 to 64 of A-Z a-z 0-9 _ -, got: " + nodeId);
        }
    }
}
