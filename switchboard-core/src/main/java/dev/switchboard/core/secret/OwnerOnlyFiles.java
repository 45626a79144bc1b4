package dev.switchboard.core.secret;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Secret files (keys, passwords, tokens, configurations holding them) written so that nobody but the owner can
 * ever read them: the file is created with owner-only permissions in the same system call that creates it (no
 * write-then-chmod window), under an unpredictable name in the target's directory, written, forced to disk and
 * renamed over the target atomically. A reader sees the old file or the whole new one, never a part.
 */
public final class OwnerOnlyFiles {
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ALL = PosixFilePermissions.fromString("rwx------");

    private OwnerOnlyFiles() {}

    /** Writes {@code bytes} to {@code file} atomically, readable and writable by the owner only. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp", fileMode());
        try {
            try (OutputStream out = Files.newOutputStream(temporary, StandardOpenOption.WRITE);
                    FileChannel sync = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                out.write(bytes);
                out.flush();
                sync.force(true);
            }
            move(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * A new directory under {@code parent} that only the owner can enter, with an unpredictable name: a place for
     * a tool that writes a secret file with default permissions (keytool) to write it unseen.
     */
    public static Path privateDirectory(Path parent) throws IOException {
        Files.createDirectories(parent);
        return isPosix()
                ? Files.createTempDirectory(parent, ".private.", PosixFilePermissions.asFileAttribute(OWNER_ALL))
                : Files.createTempDirectory(parent, ".private.");
    }

    /** Makes {@code file} owner-only (for a file made inside a {@link #privateDirectory}) and moves it to {@code target}. */
    public static void publish(Path file, Path target) throws IOException {
        if (isPosix()) {
            Files.setPosixFilePermissions(file, OWNER_READ_WRITE);
        }
        move(file, target.toAbsolutePath());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static FileAttribute<?>[] fileMode() {
        return isPosix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
