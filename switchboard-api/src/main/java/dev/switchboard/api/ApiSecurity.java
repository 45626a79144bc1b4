package dev.switchboard.api;

import java.util.Optional;

/**
 * Who may call an API node, and over what: OAuth2 bearer tokens checked on allocate ({@code oauth}), and per-request MACs on
 * every later call, keyed by the cluster secret ({@code request-macs}). {@link #none()} turns both off (tests,
 * trusted networks).
 *
 * @param oauth how bearer tokens are checked; empty = allocate needs no token
 * @param clusterSecret the secret session MAC keys derive from (the same on every API node, at least 16 bytes);
 *     empty = later calls carry no MAC
 * @param tls HTTPS instead of HTTP ({@code tls}); empty = plain HTTP
 * @param allowPlainHttp whether plain HTTP may be served on an address other than loopback
 *     ({@code allow-plain-http}; default false: such a node refuses to start, since tokens and MAC keys would cross
 *     the network in clear); when allowed, the node warns at start
 */
public record ApiSecurity(
        Optional<OAuthConfig> oauth, Optional<byte[]> clusterSecret, Optional<TlsConfig> tls, boolean allowPlainHttp) {

    public ApiSecurity(Optional<OAuthConfig> oauth, Optional<byte[]> clusterSecret, Optional<TlsConfig> tls) {
        this(oauth, clusterSecret, tls, false);
    }

    /** Without TLS. */
    public ApiSecurity(Optional<OAuthConfig> oauth, Optional<byte[]> clusterSecret) {
        this(oauth, clusterSecret, Optional.empty());
    }

    public ApiSecurity {
        oauth = oauth == null ? Optional.empty() : oauth;
        tls = tls == null ? Optional.empty() : tls;
        clusterSecret = clusterSecret == null ? Optional.empty() : clusterSecret.map(byte[]::clone);
        clusterSecret.ifPresent(secret -> {
            if (secret.length < 16) {
                throw new IllegalArgumentException("the cluster secret must have at least 16 bytes");
            }
        });
    }

    public static ApiSecurity none() {
        return new ApiSecurity(Optional.empty(), Optional.empty());
    }

    public static ApiSecurity of(OAuthConfig oauth, byte[] clusterSecret) {
        return new ApiSecurity(Optional.of(oauth), Optional.of(clusterSecret));
    }

    public static ApiSecurity oauthOnly(OAuthConfig oauth) {
        return new ApiSecurity(Optional.of(oauth), Optional.empty());
    }

    public ApiSecurity withTls(TlsConfig value) {
        return new ApiSecurity(oauth, clusterSecret, Optional.of(value), allowPlainHttp);
    }

    /** Plain HTTP allowed on a non-loopback address (warned about at start). */
    public ApiSecurity allowingPlainHttp() {
        return new ApiSecurity(oauth, clusterSecret, tls, true);
    }

    @Override
    public String toString() {
        return "ApiSecurity[oauth=" + oauth + ", request-macs=" + clusterSecret.isPresent() + ", tls=" + tls
                + ", allow-plain-http=" + allowPlainHttp + "]";
    }
}
