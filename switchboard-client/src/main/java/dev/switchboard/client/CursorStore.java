package dev.switchboard.client;

import dev.switchboard.client.internal.FileCursorStore;
import dev.switchboard.client.internal.MemoryCursorStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a {@link Subscriber} keeps its position. The subscriber loads the cursor when it starts (and after a
 * lost session) and saves the cursor the backend returns for every acknowledged batch, so a restarted subscriber
 * continues after the last acknowledged batch: nothing acknowledged is read again, nothing unacknowledged is
 * skipped. The cursor is an opaque string; store it as it is.
 *
 * <p>Implementations must be safe to call from the subscriber's thread; {@link #save} should be durable when it
 * returns if the application needs its position to survive a crash.
 */
public interface CursorStore {

    /** The last saved cursor, or empty when nothing was saved yet. */
    Optional<String> load();

    /** Saves {@code cursor}, replacing the previous one. */
    void save(String cursor);

    /** A store that keeps the cursor in memory only: a new process starts from the subscriber's start position. */
    static CursorStore memory() {
        return new MemoryCursorStore();
    }

    /**
     * A store that keeps the cursor in {@code file}, written atomically (a temporary file moved over the old one),
     * creating missing parent directories.
     */
    static CursorStore file(Path file) {
        return new FileCursorStore(file);
    }
}
