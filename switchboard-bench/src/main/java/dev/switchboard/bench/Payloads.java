package dev.switchboard.bench;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Event payloads: random bytes (so compression gains nothing, as with encrypted or already compressed data), or
 * JSON documents (orders with a few lines each, values drawn at random from small vocabularies: about as
 * compressible as real business events), from a small pool shared by all events so generating load costs little. Roundtrip payloads carry their send
 * time ({@link System#nanoTime()}) in the first 8 bytes, so each is a fresh copy.
 */
final class Payloads {
    private static final int POOL = 64;
    private final byte[][] pool;

    Payloads(int size) {
        this(size, BenchPayload.RANDOM);
    }

    Payloads(int size, BenchPayload kind) {
        SplittableRandom random = new SplittableRandom(42);
        pool = new byte[POOL][];
        for (int i = 0; i < POOL; i++) {
            pool[i] = kind == BenchPayload.JSON ? json(random, size) : random(random, size);
        }
    }

    private static byte[] random(SplittableRandom random, int size) {
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        return payload;
    }

    private static final String[] CUSTOMERS = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
    private static final String[] SKUS = {"A-100", "A-101", "B-220", "C-310", "C-311", "D-400", "E-512", "F-600"};
    private static final String[] STATES = {"NEW", "PAID", "PACKED", "SHIPPED"};

    /** An order document of exactly {@code size} bytes (the last one cut off, padded with spaces). */
    private static byte[] json(SplittableRandom random, int size) {
        StringBuilder text = new StringBuilder(size + 256);
        while (text.length() < size) {
            text.append("{\"order\":")
                    .append(random.nextInt(1_000_000))
                    .append(",\"customer\":\"")
                    .append(CUSTOMERS[random.nextInt(CUSTOMERS.length)])
                    .append("\",\"state\":\"")
                    .append(STATES[random.nextInt(STATES.length)])
                    .append("\",\"currency\":\"EUR\",\"lines\":[");
            int lines = 1 + random.nextInt(4);
            for (int line = 0; line < lines; line++) {
                text.append(line == 0 ? "" : ",")
                        .append("{\"sku\":\"")
                        .append(SKUS[random.nextInt(SKUS.length)])
                        .append("\",\"quantity\":")
                        .append(1 + random.nextInt(9))
                        .append(",\"price\":\"")
                        .append(random.nextInt(200))
                        .append('.')
                        .append(10 + random.nextInt(90))
                        .append("\"}");
            }
            text.append("]}\n");
        }
        byte[] bytes = text.substring(0, size).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return bytes;
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
