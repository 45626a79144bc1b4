package dev.switchboard.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until the test moves it ({@link #advance}): expiry, deadlines and rate windows pass
 * exactly when the test says, never by real time. Safe to read from any thread.
 */
public final class HandClock extends Clock {
    private volatile Instant now; // written under this

    /** Starts at 2026-01-01T00:00:00Z. */
    public HandClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public HandClock(Instant start) {
        this.now = start;
    }

    /** Moves the clock forward by {@code duration}. */
    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
