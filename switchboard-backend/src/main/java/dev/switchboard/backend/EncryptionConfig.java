package dev.switchboard.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Encryption at rest (envelope encryption, DESIGN.md section 5), validated on construction with messages naming
 * the kebab-case key. When enabled, every event payload and its user headers are sealed with AES-256-GCM under
 * a per-topic data key; data keys are wrapped by the key-encryption key of the {@code local} key management
 * service (a PKCS12 keystore) and kept in the compacted {@code keys-topic}. Every node of a cluster must use the
 * same keystore (same file contents) and the same keys topic.
 *
 * @param enabled seal what this node writes ({@code enabled}); records already sealed are opened either way
 *     when a keystore is configured
 * @param keystore the PKCS12 keystore holding the key-encryption key ({@code keystore})
 * @param keystorePassword its password ({@code keystore-password})
 * @param createKeystore create the keystore with a fresh key-encryption key when the file is missing
 *     ({@code create-keystore}; standalone does, a cluster should not)
 * @param keysTopic the compacted topic holding wrapped data keys ({@code keys-topic}, default
 *     {@value #DEFAULT_KEYS_TOPIC})
 * @param keyMaxAge a topic's data key is replaced once older than this ({@code key-max-age}, default 24 h)
 * @param keyMaxRecords ... or once it sealed this many records ({@code key-max-records}, default 2^24: random
 *     96-bit nonces stay far below the 2^32 per-key limit of NIST SP 800-38D)
 * @param acceptUnsealed deliver records without the {@code sb-enc} header as they are, for migrating a
 *     plaintext topic ({@code accept-unsealed}, default false: while enabled, such a record is rejected, never
 *     delivered, and copied to the dead-letter topic)
 * @param compress compress a record's sealed body with LZ4 before encrypting it when that saves at least a fifth
 *     ({@code compress}, default true; envelope version 2, which backends before it cannot open: see
 *     docs/operations.md)
 */
public record EncryptionConfig(
        boolean enabled,
        Optional<Path> keystore,
        String keystorePassword,
        boolean createKeystore,
        String keysTopic,
        Duration keyMaxAge,
        long keyMaxRecords,
        boolean acceptUnsealed,
        boolean compress) {

    public static final String DEFAULT_KEYS_TOPIC = "__switchboard_keys";
    public static final Duration DEFAULT_KEY_MAX_AGE = Duration.ofHours(24);
    public static final long DEFAULT_KEY_MAX_RECORDS = 1L << 24;
    /** The hard upper bound for {@code key-max-records}: 2^32 random nonces per key (NIST SP 800-38D). */
    public static final long MAX_KEY_RECORDS = 1L << 32;

    public EncryptionConfig {
        Objects.requireNonNull(keystore, "encryption.keystore");
        Objects.requireNonNull(keystorePassword, "encryption.keystore-password");
        Objects.requireNonNull(keysTopic, "encryption.keys-topic");
        Objects.requireNonNull(keyMaxAge, "encryption.key-max-age");
        if (enabled && keystore.isEmpty()) {
            throw new IllegalArgumentException("encryption.keystore is required when encryption is enabled");
        }
        if (keysTopic.isBlank()) {
            throw new IllegalArgumentException("encryption.keys-topic must not be blank");
        }
        if (keyMaxAge.isNegative() || keyMaxAge.isZero()) {
            throw new IllegalArgumentException("encryption.key-max-age must be positive, got " + keyMaxAge);
        }
        if (keyMaxRecords < 1 || keyMaxRecords > MAX_KEY_RECORDS) {
            throw new IllegalArgumentException(
                    "encryption.key-max-records must be between 1 and 2^32, got " + keyMaxRecords);
        }
    }

    /** No encryption: records are written in clear, sealed records cannot be read. */
    public static EncryptionConfig disabled() {
        return new EncryptionConfig(
                false,
                Optional.empty(),
                "",
                false,
                DEFAULT_KEYS_TOPIC,
                DEFAULT_KEY_MAX_AGE,
                DEFAULT_KEY_MAX_RECORDS,
                false,
                true);
    }

    /** Encryption with the {@code local} key management service: the given PKCS12 keystore, created if missing. */
    public static EncryptionConfig local(Path keystore, String password) {
        return new EncryptionConfig(
                true,
                Optional.of(keystore),
                password,
                true,
                DEFAULT_KEYS_TOPIC,
                DEFAULT_KEY_MAX_AGE,
                DEFAULT_KEY_MAX_RECORDS,
                false,
                true);
    }

    public EncryptionConfig withKeyRotation(Duration maxAge, long maxRecords) {
        return new EncryptionConfig(
                enabled,
                keystore,
                keystorePassword,
                createKeystore,
                keysTopic,
                maxAge,
                maxRecords,
                acceptUnsealed,
                compress);
    }

    public EncryptionConfig withCreateKeystore(boolean create) {
        return new EncryptionConfig(
                enabled,
                keystore,
                keystorePassword,
                create,
                keysTopic,
                keyMaxAge,
                keyMaxRecords,
                acceptUnsealed,
                compress);
    }

    public EncryptionConfig withKeysTopic(String topic) {
        return new EncryptionConfig(
                enabled,
                keystore,
                keystorePassword,
                createKeystore,
                topic,
                keyMaxAge,
                keyMaxRecords,
                acceptUnsealed,
                compress);
    }

    /** Delivers records without {@code sb-enc} as they are (migrating a plaintext topic) when {@code accept}. */
    public EncryptionConfig withAcceptUnsealed(boolean accept) {
        return new EncryptionConfig(
                enabled,
                keystore,
                keystorePassword,
                createKeystore,
                keysTopic,
                keyMaxAge,
                keyMaxRecords,
                accept,
                compress);
    }

    /** Compresses compressible records before sealing them (envelope version 2) when {@code value}. */
    public EncryptionConfig withCompress(boolean value) {
        return new EncryptionConfig(
                enabled,
                keystore,
                keystorePassword,
                createKeystore,
                keysTopic,
                keyMaxAge,
                keyMaxRecords,
                acceptUnsealed,
                value);
    }

    @Override
    public String toString() {
        return "EncryptionConfig[enabled=" + enabled + ", keystore=" + keystore + ", keys-topic=" + keysTopic
                + ", key-max-age=" + keyMaxAge + ", key-max-records=" + keyMaxRecords + ", accept-unsealed="
                + acceptUnsealed + ", compress=" + compress + "]";
    }
}
