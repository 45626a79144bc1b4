package dev.switchboard.backend;

import dev.switchboard.protocol.thrift.Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * What a backend node allows each session; clients learn these from the allocate answer and size their requests
 * by them. Validated on construction with messages naming the kebab-case configuration key.
 *
 * @param maxEventsPerRead the most events one read returns ({@code max-events-per-read})
 * @param maxBytesPerRead the most bytes one read returns, at least one event regardless ({@code max-bytes-per-read})
 * @param writeWindow how many chunks a writer may stage before it must commit ({@code write-window})
 * @param maxEventsPerChunk the most events in one written chunk ({@code max-events-per-chunk})
 * @param maxBytesPerChunk the most bytes in one written chunk ({@code max-bytes-per-chunk})
 * @param maxEventBytes the most bytes of one event: key, payload and headers ({@code max-event-bytes})
 * @param sessionTtl how long a session may stay idle before it is disposed ({@code session-ttl})
 * @param maxWait the longest a read long-polls, and the longest a commit waits for Kafka ({@code max-wait})
 * @param prefetchEvents how many events a read session may read ahead of its client ({@code prefetch-events})
 * @param prefetchBytes how many bytes a read session may read ahead of its client ({@code prefetch-bytes}, default
 *     8 MiB; one record larger than that is still read): with {@code prefetch-events} it bounds a session's read
 *     buffer by bytes, not only by events
 * @param drainTimeout how long a draining node lets in-flight commits wait for Kafka before it writes what Kafka has
 *     not acknowledged to its spill journal ({@code drain-timeout}, default 40 s); longer than {@code max-wait}, so
 *     a commit that started just before the drain gets all its time
 */
public record SessionLimits(
        int maxEventsPerRead,
        int maxBytesPerRead,
        int writeWindow,
        int maxEventsPerChunk,
        int maxBytesPerChunk,
        int maxEventBytes,
        Duration sessionTtl,
        Duration maxWait,
        int prefetchEvents,
        int prefetchBytes,
        Duration drainTimeout) {
    private static final int MIB = 1024 * 1024;

    public SessionLimits {
        positive("max-events-per-read", maxEventsPerRead);
        positive("max-bytes-per-read", maxBytesPerRead);
        positive("write-window", writeWindow);
        positive("max-events-per-chunk", maxEventsPerChunk);
        positive("max-bytes-per-chunk", maxBytesPerChunk);
        positive("max-event-bytes", maxEventBytes);
        positive("prefetch-events", prefetchEvents);
        positive("prefetch-bytes", prefetchBytes);
        if (maxEventBytes > maxBytesPerChunk) {
            throw new IllegalArgumentException("max-event-bytes (" + maxEventBytes
                    + ") must not exceed max-bytes-per-chunk (" + maxBytesPerChunk + ")");
        }
        positive("session-ttl", sessionTtl);
        positive("max-wait", maxWait);
        positive("drain-timeout", drainTimeout);
        if (drainTimeout.compareTo(maxWait) <= 0) {
            throw new IllegalArgumentException("drain-timeout (" + drainTimeout + ") must be longer than max-wait ("
                    + maxWait + "), the longest a commit waits for Kafka");
        }
        if (maxWait.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max-wait must be at most " + Integer.MAX_VALUE + " ms, got " + maxWait);
        }
    }

    /** The defaults: 1000 events / 4 MiB per read, 16 chunks of 10000 events / 8 MiB, 1 MiB per event, ... */
    public static SessionLimits defaults() {
        return new SessionLimits(
                1000,
                4 * MIB,
                16,
                10_000,
                8 * MIB,
                MIB,
                Duration.ofMinutes(5),
                Duration.ofSeconds(30),
                2000,
                8 * MIB,
                Duration.ofSeconds(40));
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    /** The limits as the allocate answer carries them. */
    public Limits toThrift() {
        return new Limits(
                maxEventsPerRead,
                maxBytesPerRead,
                writeWindow,
                maxEventsPerChunk,
                maxBytesPerChunk,
                maxEventBytes,
                sessionTtl.toMillis(),
                (int) maxWait.toMillis());
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, got " + value);
        }
    }

    private static void positive(String key, Duration value) {
        Objects.requireNonNull(value, key + " is required");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    /** Builds limits by changing some of the defaults. */
    public static final class Builder {
        private int maxEventsPerRead;
        private int maxBytesPerRead;
        private int writeWindow;
        private int maxEventsPerChunk;
        private int maxBytesPerChunk;
        private int maxEventBytes;
        private Duration sessionTtl;
        private Duration maxWait;
        private int prefetchEvents;
        private int prefetchBytes;
        private Duration drainTimeout;

        private Builder(SessionLimits from) {
            maxEventsPerRead = from.maxEventsPerRead;
            maxBytesPerRead = from.maxBytesPerRead;
            writeWindow = from.writeWindow;
            maxEventsPerChunk = from.maxEventsPerChunk;
            maxBytesPerChunk = from.maxBytesPerChunk;
            maxEventBytes = from.maxEventBytes;
            sessionTtl = from.sessionTtl;
            maxWait = from.maxWait;
            prefetchEvents = from.prefetchEvents;
            prefetchBytes = from.prefetchBytes;
            drainTimeout = from.drainTimeout;
        }

        public Builder maxEventsPerRead(int value) {
            maxEventsPerRead = value;
            return this;
        }

        public Builder maxBytesPerRead(int value) {
            maxBytesPerRead = value;
            return this;
        }

        public Builder writeWindow(int value) {
            writeWindow = value;
            return this;
        }

        public Builder maxEventsPerChunk(int value) {
            maxEventsPerChunk = value;
            return this;
        }

        public Builder maxBytesPerChunk(int value) {
            maxBytesPerChunk = value;
            return this;
        }

        public Builder maxEventBytes(int value) {
            maxEventBytes = value;
            return this;
        }

        public Builder sessionTtl(Duration value) {
            sessionTtl = value;
            return this;
        }

        public Builder maxWait(Duration value) {
            maxWait = value;
            return this;
        }

        public Builder prefetchEvents(int value) {
            prefetchEvents = value;
            return this;
        }

        public Builder prefetchBytes(int value) {
            prefetchBytes = value;
            return this;
        }

        public Builder drainTimeout(Duration value) {
            drainTimeout = value;
            return this;
        }

        public SessionLimits build() {
            return new SessionLimits(
                    maxEventsPerRead,
                    maxBytesPerRead,
                    writeWindow,
                    maxEventsPerChunk,
                    maxBytesPerChunk,
                    maxEventBytes,
                    sessionTtl,
                    maxWait,
                    prefetchEvents,
                    prefetchBytes,
                    drainTimeout);
        }
    }
}
