package dev.switchboard.server.standalone;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.api.OAuthConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The development OAuth2 issuer of standalone and local-cluster: an ES256 signing key kept in {@code dev-issuer/signing-key.jwk} under
 * the data dir (created on first start, owner-readable only). The API node trusts exactly this key
 * ({@link #oauthConfig}) and serves its public half at {@code /.well-known/jwks.json}; {@link #mint} signs tokens
 * for the {@code dev-token} file and the {@code switchboard token} command.
 */
public final class DevIssuer {
    public static final String ISSUER = "urn:switchboard:standalone";
    public static final String AUDIENCE = "switchboard";
    public static final String KEY_FILE = "dev-issuer/signing-key.jwk";
    public static final String DEV_TOKEN_FILE = "dev-token";
    /** The public JWK set, for API nodes in other processes (local-cluster's {@code oauth.jwks-file}). */
    public static final String JWKS_FILE = "dev-issuer/jwks.json";
    /** The development token grants every topic, both ways. */
    public static final List<String> ALL_SCOPES =
            List.of("switchboard:read:*", "switchboard:write:*", "switchboard:admin");

    static final Duration DEV_TOKEN_TTL = Duration.ofDays(30);

    private final ECKey key;
    private final Clock clock;

    private DevIssuer(ECKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** The issuer of the data dir, creating its key when there is none yet. */
    public static DevIssuer loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(KEY_FILE);
        if (!Files.exists(file)) {
            try {
                ECKey created = new ECKeyGenerator(Curve.P_256)
                        .keyID("dev-" + UUID.randomUUID())
                        .algorithm(JWSAlgorithm.ES256)
                        .generate();
                ClusterSecret.writeOwnerOnly(file, created.toJSONString().getBytes(StandardCharsets.UTF_8));
            } catch (JOSEException e) {
                throw new IOException("cannot create the development signing key: " + e.getMessage(), e);
            }
        }
        return load(dataDir);
    }

    /** The issuer of an existing data dir; fails when standalone never ran there. */
    public static DevIssuer load(Path dataDir) throws IOException {
        Path file = dataDir.resolve(KEY_FILE);
        if (!Files.exists(file)) {
            throw new IOException("no development signing key at " + file + ": start './switchboard standalone"
                    + " --data-dir " + dataDir + "' (or './switchboard local-cluster --data-dir " + dataDir
                    + "') once first");
        }
        try {
            return new DevIssuer(ECKey.parse(Files.readString(file, StandardCharsets.UTF_8)), Clock.systemUTC());
        } catch (ParseException e) {
            throw new IOException("the development signing key " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    /** What the API node checks tokens against: this issuer, this audience, this one public key. */
    public OAuthConfig oauthConfig() {
        return OAuthConfig.fixedKeys(ISSUER, AUDIENCE, publicJwks());
    }

    /** The JWK set document holding the public half of the signing key only. */
    public String publicJwks() {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    /** Writes {@link #publicJwks} to {@code <data-dir>/dev-issuer/jwks.json}. */
    public Path writeJwks(Path dataDir) throws IOException {
        Path file = dataDir.resolve(JWKS_FILE);
        ClusterSecret.writeOwnerOnly(file, publicJwks().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** A token granting {@code scopes}, valid from now for {@code ttl}. */
    public String mint(String subject, List<String> scopes, Duration ttl) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", String.join(" ", scopes))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** Writes a fresh all-scopes development token to {@code <data-dir>/dev-token} (owner-readable only). */
    public Path writeDevToken(Path dataDir) throws IOException {
        Path file = dataDir.resolve(DEV_TOKEN_FILE);
        String token = mint("standalone-dev", ALL_SCOPES, DEV_TOKEN_TTL);
        ClusterSecret.writeOwnerOnly(file, (token + "\n").getBytes(StandardCharsets.UTF_8));
        return file;
    }
}
