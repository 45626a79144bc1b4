package dev.switchboard.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand, so idle expiry and deadlines need no sleeping. It follows real time from its start
 * (so a long poll a test expects to end empty still ends), jumps forward on {@link #advance}, and stands still
 * once {@link #freeze}d: then no deadline passes, and a wait can only end by what the test does.
 */
final class MutableClock extends Clock {
    private Instant base = Instant.parse("2025-01-01T00:00:00Z"); // guarded by this
    private long baseNanos = System.nanoTime(); // guarded by this
    private boolean ticking = true; // guarded by this

    synchronized void advance(Duration duration) {
        base = instant().plus(duration);
        baseNanos = System.nanoTime();
    }

    /** From now on the clock moves only by {@link #advance}. */
    synchronized void freeze() {
        base = instant();
        ticking = false;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        return ticking ? base.plusNanos(System.nanoTime() - baseNanos) : base;
    }
}
