package dev.switchboard.api;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of what an API node refused to protect itself, for metrics: each getter is a running total since start
 * (or, for {@link #bodyBytesInFlight()}, the current value). Thread-safe; cheap enough to bump on every request.
 */
public final class ApiCounters {
    private final LongAdder bodiesTooLarge = new LongAdder();
    private final LongAdder unauthenticatedBodiesTooLarge = new LongAdder();
    private final LongAdder bodiesRefusedBusy = new LongAdder();
    private final LongAdder slowBodiesCutOff = new LongAdder();
    private final LongAdder slowHeadsCutOff = new LongAdder();
    private final LongAdder unreadableBodies = new LongAdder();
    private final LongAdder principalCallsRefused = new LongAdder();
    private final LongAdder queueDelayRefused = new LongAdder();
    private final AtomicLong bodyBytesInFlight = new AtomicLong();
    private final LongAdder lz4Requests = new LongAdder();
    private final LongAdder lz4Replies = new LongAdder();
    private final LongAdder streamsOpened = new LongAdder();
    private final LongAdder streamBatches = new LongAdder();
    private final LongAdder streamBusyRetries = new LongAdder();

    /** Requests answered 413: the body was over {@code max-request-bytes}. */
    public long bodiesTooLarge() {
        return bodiesTooLarge.sum();
    }

    /** Requests answered 413 because, without request MAC headers, the body was over the small limit. */
    public long unauthenticatedBodiesTooLarge() {
        return unauthenticatedBodiesTooLarge.sum();
    }

    /** Requests answered 429 because the node's budget of body bytes in flight was spent. */
    public long bodiesRefusedBusy() {
        return bodiesRefusedBusy.sum();
    }

    /** Requests whose body arrived slower than {@code min-request-data-rate} and were cut off. */
    public long slowBodiesCutOff() {
        return slowBodiesCutOff.sum();
    }

    /**
     * Connections closed because a request head (HTTP headers, or a TCP frame's header and header section) took
     * longer than {@code header-timeout} from its first byte.
     */
    public long slowHeadsCutOff() {
        return slowHeadsCutOff.sum();
    }

    /** Requests whose body could not be read: the client went away, or bad gzip. */
    public long unreadableBodies() {
        return unreadableBodies.sum();
    }

    /** Calls answered BUSY because their principal had {@code max-calls-per-principal} calls in progress. */
    public long principalCallsRefused() {
        return principalCallsRefused.sum();
    }

    /** Bytes of request bodies held right now (buffers being filled or handled). */
    public long bodyBytesInFlight() {
        return bodyBytesInFlight.get();
    }

    /** Thrift calls whose body arrived LZ4-compressed (HTTP or TCP). */
    public long lz4Requests() {
        return lz4Requests.sum();
    }

    /** Thrift replies the node sent LZ4-compressed (HTTP or TCP). */
    public long lz4Replies() {
        return lz4Replies.sum();
    }

    /** Streamed reads opened on the binary TCP port (not counting those refused at once). */
    public long streamsOpened() {
        return streamsOpened.sum();
    }

    /** Batches pushed to streamed reads. */
    public long streamBatches() {
        return streamBatches.sum();
    }

    /** Backend calls of streamed reads answered BUSY and tried again after a wait (instead of ending the stream). */
    public long streamBusyRetries() {
        return streamBusyRetries.sum();
    }

    // Bumped by the node itself (its internal package); not for callers.

    public void countStreamBusyRetry() {
        streamBusyRetries.increment();
    }

    public void countStreamOpened() {
        streamsOpened.increment();
    }

    public void countStreamBatch() {
        streamBatches.increment();
    }

    public void countTooLarge(boolean authenticated) {
        (authenticated ? bodiesTooLarge : unauthenticatedBodiesTooLarge).increment();
    }

    public void countBusy() {
        bodiesRefusedBusy.increment();
    }

    public void countSlow() {
        slowBodiesCutOff.increment();
    }

    public void countSlowHead() {
        slowHeadsCutOff.increment();
    }

    public void countPrincipalBusy() {
        principalCallsRefused.increment();
    }

    /** Writes, reads and allocations answered BUSY because this node's requests waited past {@code max-queue-delay}. */
    public long queueDelayRefused() {
        return queueDelayRefused.sum();
    }

    public void countQueueDelayBusy() {
        queueDelayRefused.increment();
    }

    public void countUnreadable() {
        unreadableBodies.increment();
    }

    public void countLz4Request() {
        lz4Requests.increment();
    }

    public void countLz4Reply() {
        lz4Replies.increment();
    }

    /** The live gauge the node's body budget keeps. */
    public AtomicLong bodyBytesInFlightGauge() {
        return bodyBytesInFlight;
    }
}
