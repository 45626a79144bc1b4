package dev.switchboard.server.standalone;

import dev.switchboard.core.secret.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The cluster secret that keys cursor tags: created once, kept in the data dir (owner-readable only), so
 * cursors stay valid across restarts.
 */
public final class ClusterSecret {
    private static final int BYTES = 32;

    private ClusterSecret() {}

    public static byte[] loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] secret = Files.readAllBytes(file);
            if (secret.length != BYTES) {
                throw new IOException("cluster secret " + file + " is damaged: expected " + BYTES + " bytes");
            }
            return secret;
        }
        byte[] secret = new byte[BYTES];
        new SecureRandom().nextBytes(secret);
        writeOwnerOnly(file, secret);
        return secret;
    }

    /** Writes {@code bytes} to {@code file} atomically, readable by the owner only. */
    static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
        OwnerOnlyFiles.write(file, bytes);
    }
}
