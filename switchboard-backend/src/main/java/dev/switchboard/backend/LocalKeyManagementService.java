package dev.switchboard.backend;

import dev.switchboard.core.secret.OwnerOnlyFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The {@code local} key management service: key-encryption keys are AES-256 secret-key entries of a PKCS12
 * keystore file; the entry alias is the KEK id, and the alphabetically last alias is the current KEK (add
 * {@code kek-2} to rotate; older entries keep unwrapping older data keys). Wrapping is AES-256-GCM with a random
 * 96-bit nonce and the context as associated data: {@code nonce || ciphertext+tag}.
 */
public final class LocalKeyManagementService implements KeyManagementService {
    private static final String FIRST_KEK = "kek-1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TreeMap<String, SecretKey> keks;

    private LocalKeyManagementService(TreeMap<String, SecretKey> keks) {
        this.keks = keks;
    }

    /**
     * Opens the keystore; when it does not exist and {@code create} is set, creates it (owner-readable only)
     * with one fresh KEK.
     */
    public static LocalKeyManagementService open(Path keystore, char[] password, boolean create) throws IOException {
        if (!Files.exists(keystore)) {
            if (!create) {
                throw new IOException("keystore " + keystore + " does not exist");
            }
            createKeystore(keystore, password);
        }
        TreeMap<String, SecretKey> keks = new TreeMap<>();
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getKey(alias, password) instanceof SecretKey key) {
                    keks.put(alias, key);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException("cannot read keystore " + keystore + " (wrong password?): " + e.getMessage(), e);
        }
        if (keks.isEmpty()) {
            throw new IOException("keystore " + keystore + " holds no secret key (key-encryption key)");
        }
        return new LocalKeyManagementService(keks);
    }

    private static void createKeystore(Path keystore, char[] password) throws IOException {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, password);
            store.setEntry(
                    FIRST_KEK,
                    new KeyStore.SecretKeyEntry(generator.generateKey()),
                    new KeyStore.PasswordProtection(password));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            store.store(bytes, password);
            OwnerOnlyFiles.write(keystore, bytes.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    /** The KEK ids in the keystore, with the current one last. */
    public java.util.List<String> kekIds() {
        return java.util.List.copyOf(keks.keySet());
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] context) {
        Map.Entry<String, SecretKey> current = keks.lastEntry();
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current.getValue(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context);
            byte[] sealed = cipher.doFinal(dataKey);
            return new WrappedKey(
                    current.getKey(),
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                            .put(nonce)
                            .put(sealed)
                            .array());
        } catch (GeneralSecurityException e) {
            throw new KeyUnavailableException("cannot wrap a data key with " + current.getKey(), e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] context) {
        SecretKey kek = keks.get(wrapped.kekId());
        if (kek == null) {
            throw new KeyUnavailableException("unknown key-encryption key " + wrapped.kekId());
        }
        byte[] bytes = wrapped.bytes();
        if (bytes.length <= NONCE_BYTES) {
            throw new KeyUnavailableException("wrapped key is truncated");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(context);
            return cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new KeyUnavailableException(
                    "cannot unwrap a data key with " + wrapped.kekId() + " (altered, or another keystore)", e);
        }
    }
}
