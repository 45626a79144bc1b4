package dev.switchboard.client.internal;

import dev.switchboard.client.CursorStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A {@link CursorStore} that keeps the cursor in memory, for subscribers that need no restart position. */
public final class MemoryCursorStore implements CursorStore {
    private final AtomicReference<String> cursor = new AtomicReference<>();

    @Override
    public Optional<String> load() {
        return Optional.ofNullable(cursor.get());
    }

    @Override
    public void save(String cursor) {
        this.cursor.set(Objects.requireNonNull(cursor, "cursor"));
    }

    @Override
    public String toString() {
        return "MemoryCursorStore";
    }
}
