package dev.switchboard.server.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temporary, bytes);
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data dir's own permissions protect the file
        }
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
