package dev.switchboard.bench;

import java.util.Objects;

/**
 * What one bench run does.
 *
 * @param mode write, read, roundtrip or tail
 * @param events events per phase (in read mode, every session reads all of them; in tail mode, the events the
 *     writer hands over in each phase, {@code rate} times the phase's duration)
 * @param size payload bytes per event
 * @param sessions concurrent sessions (publishers or subscribers; raw Kafka: as many producers or consumers; in
 *     tail mode, the subscribers of the second phase, the first having one)
 * @param batch events per chunk (write) or per poll (read, and the subscribers' polls in tail mode)
 * @param warmupEvents events of an unreported warm-up phase on each side before the measured one (0: none)
 * @param baseline also measure raw Kafka clients on the same broker
 * @param rate the most events per second all writers together hand over (0: as fast as they can); a paced
 *     writer measures commit latency without queueing in front of it; tail mode needs a rate
 * @param payload random bytes or JSON documents ({@code --payload})
 * @param fewerRoundTrips the SDK's default: acks ride on the next read and commits on writes
 *     ({@code --round-trips fewer}); false: every ack and commit is a call of its own ({@code separate}), as before
 *     they could ride
 */
public record BenchSettings(
        BenchMode mode,
        long events,
        int size,
        int sessions,
        int batch,
        long warmupEvents,
        boolean baseline,
        long rate,
        BenchPayload payload,
        boolean fewerRoundTrips) {

    /** The smallest payload: roundtrip and tail mode stamp the send time into the first 8 bytes. */
    public static final int MIN_SIZE = 8;

    /** Tail mode's writer hands a chunk over this often per second, so the stream is steady, not bursty. */
    static final int TAIL_CHUNKS_PER_SECOND = 20;

    public BenchSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(payload, "payload");
        if (events < 1) {
            throw new IllegalArgumentException("--events must be at least 1, got " + events);
        }
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("--size must be at least " + MIN_SIZE + " bytes, got " + size);
        }
        if (sessions < 1) {
            throw new IllegalArgumentException("--sessions must be at least 1, got " + sessions);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative, got " + rate);
        }
        if (warmupEvents < 0) {
            throw new IllegalArgumentException("--warmup must not be negative, got " + warmupEvents);
        }
        if (mode == BenchMode.TAIL && rate == 0) {
            throw new IllegalArgumentException("--mode tail needs a --rate (events/s of its one writer)");
        }
        if (mode == BenchMode.TAIL && baseline) {
            throw new IllegalArgumentException("--mode tail has no --baseline: it compares one tailing subscriber"
                    + " with --sessions of them, both through Switchboard");
        }
    }

    /** Paces one writer: the nanoTime at which its events up to {@code sent} may have been handed over. */
    Pacer pacer() {
        return new Pacer(rate == 0 ? 0 : Math.max(1, rate / sessions));
    }

    /** Tail mode's one writer: the whole {@code rate}. */
    Pacer tailPacer() {
        return new Pacer(rate);
    }

    /** The chunk of tail mode's writer: a {@value #TAIL_CHUNKS_PER_SECOND}th of a second of events, at least 1. */
    int tailChunkEvents() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, rate / TAIL_CHUNKS_PER_SECOND));
    }

    /** The events one of the {@code sessions} writers handles: an even share, the first ones take the rest. */
    long shareOf(long total, int session) {
        long share = total / sessions;
        return session < total % sessions ? share + 1 : share;
    }
}
