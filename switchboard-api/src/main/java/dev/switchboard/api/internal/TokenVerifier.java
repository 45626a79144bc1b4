package dev.switchboard.api.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.switchboard.api.OAuthConfig;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks an OAuth2 bearer token (a JWS-signed JWT, RS256 or ES256) and returns what it grants: signature by a
 * key of the issuer's JWK set, {@code iss}, {@code aud}, {@code exp} (required) and {@code nbf}, with
 * {@code clock-skew} tolerance. Scopes come from {@code scope} (space-separated) or {@code scp} (list).
 * Thread-safe; the JWK set is cached and fetched again for an unknown key id (nimbus {@code JWKSourceBuilder}).
 * Every refusal is UNAUTHENTICATED with a message that says what is wrong, never the library's own text.
 */
public final class TokenVerifier {
    private static final Logger LOGGER = LoggerFactory.getLogger(TokenVerifier.class);
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    private static final long JWKS_FETCH_TIMEOUT_MS = 5_000;

    private final OAuthConfig config;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Clock clock;

    public TokenVerifier(OAuthConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        processor.setJWSTypeVerifier(
                new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keySource(config)));
        processor.setJWTClaimsSetVerifier((claims, context) -> checkClaims(claims));
    }

    private static JWKSource<SecurityContext> keySource(OAuthConfig config) {
        if (config.jwks().isPresent()) {
            try {
                return new ImmutableJWKSet<>(JWKSet.parse(config.jwks().get()));
            } catch (ParseException e) {
                throw new IllegalArgumentException("oauth.jwks is not a JWK set: " + e.getMessage(), e);
            }
        }
        try {
            long ttl = config.jwksCacheTtl().toMillis();
            long minRefresh = config.jwksMinRefreshInterval().toMillis();
            JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.<SecurityContext>create(
                            config.jwksUri().orElseThrow().toURL())
                    .cache(ttl, JWKS_FETCH_TIMEOUT_MS)
                    .refreshAheadCache(false)
                    .retrying(true);
            builder = minRefresh == 0 ? builder.rateLimited(false) : builder.rateLimited(minRefresh, null);
            return builder.build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("oauth.jwks-uri is not a URL: " + e.getMessage(), e);
        }
    }

    /** The grants of a valid {@code Authorization} header value; UNAUTHENTICATED otherwise. */
    public Grants verify(Optional<String> authorization) {
        String token = bearer(authorization);
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw unauthenticated("the bearer token is not a JWT");
        } catch (BadJWTException e) {
            throw unauthenticated(String.valueOf(e.getMessage())); // our own messages, from checkClaims
        } catch (KeySourceException e) {
            LOGGER.warn(
                    "issuer keys unavailable jwks-uri={} reason={}",
                    config.jwksUri().orElse(null),
                    e.toString());
            throw SwitchboardException.of(ErrorCode.UNAVAILABLE, "the token issuer's keys cannot be fetched; retry");
        } catch (BadJOSEException | JOSEException e) {
            LOGGER.debug("token rejected reason={}", e.getMessage());
            throw unauthenticated("the token signature is not valid, or it is signed by a key or algorithm "
                    + "(RS256, ES256) the issuer does not publish");
        }
        return Grants.of(Optional.ofNullable(claims.getSubject()).orElse("(no subject)"), scopes(claims));
    }

    private static String bearer(Optional<String> authorization) {
        String value = authorization
                .map(String::strip)
                .orElseThrow(() -> unauthenticated("a bearer token is required: send 'Authorization: Bearer <token>'"));
        if (!value.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            throw unauthenticated("the Authorization header must be 'Bearer <token>'");
        }
        String token = value.substring("bearer ".length()).strip();
        if (token.isEmpty()) {
            throw unauthenticated("the bearer token is empty");
        }
        return token;
    }

    private void checkClaims(JWTClaimsSet claims) throws BadJWTException {
        if (!config.issuer().equals(claims.getIssuer())) {
            throw new BadJWTException("the token's issuer is not accepted here (expected '" + config.issuer() + "')");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(config.audience())) {
            throw new BadJWTException("the token's audience does not include '" + config.audience() + "'");
        }
        Instant now = clock.instant();
        Date expiry = claims.getExpirationTime();
        if (expiry == null) {
            throw new BadJWTException("the token has no expiry (exp)");
        }
        if (now.isAfter(expiry.toInstant().plus(config.clockSkew()))) {
            throw new BadJWTException("the token expired at " + expiry.toInstant());
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.isBefore(notBefore.toInstant().minus(config.clockSkew()))) {
            throw new BadJWTException("the token is not valid before " + notBefore.toInstant());
        }
    }

    private static List<String> scopes(JWTClaimsSet claims) {
        List<String> scopes = new ArrayList<>();
        Object scope = claims.getClaim("scope");
        Object scp = claims.getClaim("scp");
        for (Object value : new Object[] {scope, scp}) {
            if (value instanceof String text) {
                scopes.addAll(Arrays.asList(text.trim().split("\\s+")));
            } else if (value instanceof List<?> list) {
                list.forEach(item -> scopes.add(String.valueOf(item)));
            }
        }
        return scopes;
    }

    private static SwitchboardException unauthenticated(String message) {
        return SwitchboardException.of(ErrorCode.UNAUTHENTICATED, message);
    }
}
