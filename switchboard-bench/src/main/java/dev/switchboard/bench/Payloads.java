package dev.switchboard.bench;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Event payloads: random bytes (so compression gains nothing, as with encrypted or already compressed data),
 * from a small pool shared by all events so generating load costs little. Roundtrip payloads carry their send
 * time ({@link System#nanoTime()}) in the first 8 bytes, so each is a fresh copy.
 */
final class Payloads {
    private static final int POOL = 64;
    private final byte[][] pool;

    Payloads(int size) {
        SplittableRandom random = new SplittableRandom(42);
        pool = new byte[POOL][size];
        for (byte[] payload : pool) {
            random.nextBytes(payload);
        }
    }

    /** The {@code index}-th payload; payloads repeat every {@value #POOL} events. Not to be modified. */
    byte[] get(long index) {
        return pool[(int) (index % POOL)];
    }

    /** A fresh payload stamped with the current {@link System#nanoTime()}. */
    byte[] stamped(long index) {
        byte[] payload = get(index).clone();
        ByteBuffer.wrap(payload).putLong(System.nanoTime());
        return payload;
    }

    /** The send time stamped into {@code payload} by {@link #stamped}. */
    static long stampOf(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong();
    }
}
