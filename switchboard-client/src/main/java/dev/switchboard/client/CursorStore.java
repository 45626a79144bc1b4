package dev.switchboard.client;

import java.util.Optional;

/**
 * Where a {@link Subscriber} keeps its position. The subscriber loads the cursor when it starts (and after a
 * lost session) and saves the cursor the backend returns for every acknowledged batch, so a restarted subscriber
 * continues after the last acknowledged batch: nothing acknowledged is read again, nothing unacknowledged is
 * skipped. The cursor is an opaque string; store it as it is.
 *
 * <p>{@link CursorStores} makes the two stores Switchboard ships: in memory and in a file. Implementations must be
 * safe to call from the subscriber's thread; {@link #save} should be durable when it returns if the application
 * needs its position to survive a crash.
 */
public interface CursorStore {

    /** The last saved cursor, or empty when nothing was saved yet. */
    Optional<String> load();

    /** Saves {@code cursor}, replacing the previous one. */
    void save(String cursor);
}
