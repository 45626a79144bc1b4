package dev.switchboard.client;

import dev.switchboard.client.internal.FileCursorStore;
import dev.switchboard.client.internal.MemoryCursorStore;
import java.nio.file.Path;

/**
 * The {@link CursorStore}s Switchboard ships. Kept apart from the interface so that the interface does not name
 * its implementations (they depend on it, not the other way round).
 */
public final class CursorStores {
    private CursorStores() {}

    /** A store that keeps the cursor in memory only: a new process starts from the subscriber's start position. */
    public static CursorStore memory() {
        return new MemoryCursorStore();
    }

    /**
     * A store that keeps the cursor in {@code file}, written atomically (a temporary file moved over the old one),
     * creating missing parent directories.
     */
    public static CursorStore file(Path file) {
        return new FileCursorStore(file);
    }
}
