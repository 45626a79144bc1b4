package dev.switchboard.server.standalone;

import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.backend.LocalKeyManagementService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The encryption at rest of standalone and local-cluster: the {@code local} key management service with its PKCS12 keystore at
 * {@code keys/kek.p12} under the data dir, protected by a random password kept next to it in
 * {@code keys/kek.password} (both owner-readable only, both created on first start). Anyone who can read the
 * data dir can read the keystore: standalone protects the Kafka log files that leave it (copies, backups), not
 * a data dir handed out whole.
 */
public final class StandaloneKeys {
    public static final String KEYSTORE = "keys/kek.p12";
    public static final String PASSWORD = "keys/kek.password";

    private StandaloneKeys() {}

    /**
     * Creates the keystore and its password file when missing, up front (local-cluster does this once, before
     * its backends start, so that they all share one key-encryption key instead of each making its own).
     */
    public static void createIfMissing(Path dataDir) throws IOException {
        EncryptionConfig config = encryption(dataDir);
        LocalKeyManagementService.open(
                config.keystore().orElseThrow(), config.keystorePassword().toCharArray(), true);
    }

    static EncryptionConfig encryption(Path dataDir) throws IOException {
        Path passwordFile = dataDir.resolve(PASSWORD);
        if (!Files.exists(passwordFile)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            ClusterSecret.writeOwnerOnly(
                    passwordFile,
                    Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(random)
                            .getBytes(StandardCharsets.UTF_8));
        }
        String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        return EncryptionConfig.local(dataDir.resolve(KEYSTORE), password);
    }
}
