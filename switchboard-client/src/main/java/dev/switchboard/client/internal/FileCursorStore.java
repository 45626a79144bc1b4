package dev.switchboard.client.internal;

import dev.switchboard.client.CursorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CursorStore} backed by one small text file. Saving writes a temporary file beside the target and
 * moves it over the old one, so a crash leaves either the old or the new cursor, never a torn one.
 * Thread-safe as long as one store instance owns the file.
 */
public final class FileCursorStore implements CursorStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(FileCursorStore.class);

    private final Path file;

    public FileCursorStore(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    }

    @Override
    public Optional<String> load() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cursor file " + file, e);
        }
    }

    @Override
    public synchronized void save(String cursor) {
        Objects.requireNonNull(cursor, "cursor");
        try {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path temp = Files.createTempFile(parent, file.getFileName() + ".", ".tmp");
            try {
                writeDurably(temp, cursor);
                move(temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write cursor file " + file, e);
        }
        LOGGER.debug("cursor saved file={}", file);
    }

    /** Forces the bytes to disk before the move, so the renamed file is never empty after a power loss. */
    private static void writeDurably(Path temp, String cursor) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(cursor.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
    }

    private void move(Path temp) throws IOException {
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // some file systems cannot rename atomically; a plain replace is the best they offer
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public String toString() {
        return "FileCursorStore[" + file + "]";
    }
}
