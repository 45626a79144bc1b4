package dev.switchboard.backend;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a backend node refused to protect itself ({@link NodeLimits}), for metrics: running totals since start,
 * and gauges of what it holds now. Thread-safe; the count methods are for the node itself.
 */
public final class BackendCounters {
    private final LongAdder sessionsRefusedNodeFull = new LongAdder();
    private final LongAdder sessionsRefusedPrincipalFull = new LongAdder();
    private final LongAdder writesRefusedStagedBytes = new LongAdder();
    private final LongAdder writesRefusedPrincipalStagedBytes = new LongAdder();
    private final LongAdder readsRefusedPrefetchBytes = new LongAdder();
    private final LongAdder readsRefusedPrincipalPrefetchBytes = new LongAdder();
    private final LongAdder tailReadersRefusedPrefetchBytes = new LongAdder();
    private final LongAdder requestsRefusedPrincipalBusy = new LongAdder();
    private final LongAdder requestsRefusedQueueDelay = new LongAdder();
    private final LongAdder requestsDroppedExpired = new LongAdder();
    private final AtomicLong stagedBytes = new AtomicLong();
    private final AtomicLong prefetchBytes = new AtomicLong();

    /** Allocations answered BUSY because the node hosted {@code max-sessions}. */
    public long sessionsRefusedNodeFull() {
        return sessionsRefusedNodeFull.sum();
    }

    /** Allocations answered BUSY because their principal held {@code max-sessions-per-principal}. */
    public long sessionsRefusedPrincipalFull() {
        return sessionsRefusedPrincipalFull.sum();
    }

    /** Writes answered BUSY because the node's staged bytes were at {@code max-staged-bytes}. */
    public long writesRefusedStagedBytes() {
        return writesRefusedStagedBytes.sum();
    }

    /** Writes answered BUSY because their principal's staged bytes were at {@code max-staged-bytes-per-principal}. */
    public long writesRefusedPrincipalStagedBytes() {
        return writesRefusedPrincipalStagedBytes.sum();
    }

    /** Reads answered BUSY because the node's read buffers were at {@code max-prefetch-bytes}. */
    public long readsRefusedPrefetchBytes() {
        return readsRefusedPrefetchBytes.sum();
    }

    /** Reads answered BUSY because their principal's read-ahead was at {@code max-prefetch-bytes-per-principal}. */
    public long readsRefusedPrincipalPrefetchBytes() {
        return readsRefusedPrincipalPrefetchBytes.sum();
    }

    /** Tail readers not started (their readers read on their own) because of {@code max-prefetch-bytes}. */
    public long tailReadersRefusedPrefetchBytes() {
        return tailReadersRefusedPrefetchBytes.sum();
    }

    /** Requests answered BUSY because their principal had {@code max-requests-per-principal} in progress. */
    public long requestsRefusedPrincipalBusy() {
        return requestsRefusedPrincipalBusy.sum();
    }

    /** Writes, reads and allocations answered BUSY because the node's requests waited past {@code max-queue-delay}. */
    public long requestsRefusedQueueDelay() {
        return requestsRefusedQueueDelay.sum();
    }

    /**
     * Requests dropped unrun because their deadline (when the API node stopped waiting) passed while they were
     * queued behind their session's earlier requests.
     */
    public long requestsDroppedExpired() {
        return requestsDroppedExpired.sum();
    }

    /** Bytes of read buffers (read-ahead and tail caches) held on this node now. */
    public long prefetchBytes() {
        return prefetchBytes.get();
    }

    /** Bytes of events staged (written, not committed) on this node now. */
    public long stagedBytes() {
        return stagedBytes.get();
    }

    public void countSessionRefused(boolean principalFull) {
        (principalFull ? sessionsRefusedPrincipalFull : sessionsRefusedNodeFull).increment();
    }

    public void countWriteRefusedStagedBytes() {
        writesRefusedStagedBytes.increment();
    }

    public void countWriteRefusedPrincipalStagedBytes() {
        writesRefusedPrincipalStagedBytes.increment();
    }

    public void countReadRefusedPrefetchBytes() {
        readsRefusedPrefetchBytes.increment();
    }

    public void countReadRefusedPrincipalPrefetchBytes() {
        readsRefusedPrincipalPrefetchBytes.increment();
    }

    public void countTailReaderRefusedPrefetchBytes() {
        tailReadersRefusedPrefetchBytes.increment();
    }

    public void countRequestRefusedPrincipalBusy() {
        requestsRefusedPrincipalBusy.increment();
    }

    public void countRequestRefusedQueueDelay() {
        requestsRefusedQueueDelay.increment();
    }

    public void countRequestDroppedExpired() {
        requestsDroppedExpired.increment();
    }

    /** The live gauge the node's read-buffer budget keeps. */
    public AtomicLong prefetchBytesGauge() {
        return prefetchBytes;
    }

    /** The live gauge the node's staged-bytes budget keeps. */
    public AtomicLong stagedBytesGauge() {
        return stagedBytes;
    }
}
