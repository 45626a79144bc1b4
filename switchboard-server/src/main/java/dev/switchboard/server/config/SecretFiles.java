package dev.switchboard.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the files a node's secrets live in; a missing, unreadable or unusable file is a ConfigException. */
final class SecretFiles {
    static final int MIN_SECRET_BYTES = 16;

    private SecretFiles() {}

    /** The cluster secret; every API and backend node of a cluster must read the same bytes. */
    static byte[] clusterSecret(Path file) {
        byte[] secret = bytes(
                "cluster-secret-file",
                file,
                " (every node of a cluster must share the same file;"
                        + " create one with: head -c 32 /dev/urandom > FILE)");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new ConfigException("cluster-secret-file: " + file + " holds " + secret.length + " bytes, at least "
                    + MIN_SECRET_BYTES + " are needed");
        }
        return secret;
    }

    /** A password or other text, without surrounding white space (a trailing newline is common). */
    static String text(String key, Path file) {
        String text = new String(bytes(key, file, ""), StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new ConfigException(key + ": " + file + " is empty");
        }
        return text;
    }

    static byte[] bytes(String key, Path file, String hint) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(key + ": " + file + " does not exist" + hint);
        } catch (AccessDeniedException e) {
            throw new ConfigException(key + ": " + file + " is not readable by this user");
        } catch (IOException e) {
            throw new ConfigException(key + ": " + file + " cannot be read: " + e, e);
        }
    }
}
