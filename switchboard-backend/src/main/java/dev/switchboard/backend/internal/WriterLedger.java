package dev.switchboard.backend.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this node remembers of each writer: the last chunk seq it committed. Bounded: the least recently used
 * writers are forgotten first, which is safe because the client's own hint at allocation covers them.
 */
public final class WriterLedger {
    private final Map<String, Long> lastCommitted;

    public WriterLedger(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.lastCommitted = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The last committed chunk seq of {@code writerId} known here, 0 when unknown. */
    public synchronized long lastCommitted(String writerId) {
        return lastCommitted.getOrDefault(writerId, 0L);
    }

    /** Records that {@code writerId} committed every chunk up to {@code seq}; never moves backwards. */
    public synchronized void committed(String writerId, long seq) {
        lastCommitted.merge(writerId, seq, Math::max);
    }
}
