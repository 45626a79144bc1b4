package dev.switchboard.api;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the API tier checks OAuth2 bearer tokens (JWT, RS256 or ES256) on allocate. Keys (kebab-case):
 * {@code issuer}, {@code audience}, {@code jwks-uri} or {@code jwks} (a JWK set document, for an issuer
 * without a URL, such as standalone's development issuer), {@code clock-skew}, {@code jwks-cache-ttl},
 * {@code jwks-min-refresh-interval}. Validated on construction; messages name the key.
 *
 * @param issuer the exact {@code iss} a token must carry
 * @param audience a value the token's {@code aud} must contain
 * @param jwksUri where the issuer publishes its signing keys (cached for {@code jwks-cache-ttl}; fetched again
 *     when a token names an unknown key id, at most once per {@code jwks-min-refresh-interval})
 * @param jwks a fixed JWK set (public keys) instead of {@code jwks-uri}; also served at
 *     {@code GET /.well-known/jwks.json}
 * @param clockSkew tolerance when checking {@code exp} and {@code nbf} (default 30 s)
 * @param jwksCacheTtl how long fetched keys are trusted (default 5 min)
 * @param jwksMinRefreshInterval fewest time between two fetches caused by unknown key ids (default 30 s; zero
 *     disables the limit)
 */
public record OAuthConfig(
        String issuer,
        String audience,
        Optional<URI> jwksUri,
        Optional<String> jwks,
        Duration clockSkew,
        Duration jwksCacheTtl,
        Duration jwksMinRefreshInterval) {

    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JWKS_MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);

    public OAuthConfig {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("oauth.issuer is required");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("oauth.audience is required");
        }
        jwksUri = jwksUri == null ? Optional.empty() : jwksUri;
        jwks = jwks == null ? Optional.empty() : jwks;
        if (jwksUri.isPresent() == jwks.isPresent()) {
            throw new IllegalArgumentException("oauth needs exactly one of jwks-uri and jwks");
        }
        jwksUri.ifPresent(uri -> {
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("oauth.jwks-uri must be an http(s) URL, got: " + uri);
            }
        });
        clockSkew = nonNegative(clockSkew, DEFAULT_CLOCK_SKEW, "clock-skew");
        jwksCacheTtl = nonNegative(jwksCacheTtl, DEFAULT_JWKS_CACHE_TTL, "jwks-cache-ttl");
        jwksMinRefreshInterval =
                nonNegative(jwksMinRefreshInterval, DEFAULT_JWKS_MIN_REFRESH_INTERVAL, "jwks-min-refresh-interval");
        if (jwksCacheTtl.isZero()) {
            throw new IllegalArgumentException("oauth.jwks-cache-ttl must be positive");
        }
    }

    /** Tokens from {@code issuer} for {@code audience}, keys from {@code jwksUri}; defaults otherwise. */
    public static OAuthConfig remote(String issuer, String audience, URI jwksUri) {
        return new OAuthConfig(
                issuer,
                audience,
                Optional.of(jwksUri),
                Optional.empty(),
                DEFAULT_CLOCK_SKEW,
                DEFAULT_JWKS_CACHE_TTL,
                DEFAULT_JWKS_MIN_REFRESH_INTERVAL);
    }

    /** Tokens from {@code issuer} for {@code audience}, keys from a fixed JWK set document. */
    public static OAuthConfig fixedKeys(String issuer, String audience, String jwkSetJson) {
        return new OAuthConfig(
                issuer,
                audience,
                Optional.empty(),
                Optional.of(Objects.requireNonNull(jwkSetJson)),
                DEFAULT_CLOCK_SKEW,
                DEFAULT_JWKS_CACHE_TTL,
                DEFAULT_JWKS_MIN_REFRESH_INTERVAL);
    }

    public OAuthConfig withJwksMinRefreshInterval(Duration value) {
        return new OAuthConfig(issuer, audience, jwksUri, jwks, clockSkew, jwksCacheTtl, value);
    }

    private static Duration nonNegative(Duration value, Duration fallback, String key) {
        Duration result = value == null ? fallback : value;
        if (result.isNegative()) {
            throw new IllegalArgumentException("oauth." + key + " must not be negative, got: " + result);
        }
        return result;
    }
}
