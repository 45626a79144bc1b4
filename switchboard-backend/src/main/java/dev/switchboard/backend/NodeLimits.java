package dev.switchboard.backend;

import java.time.Duration;

/**
 * What one backend node holds for all its clients together, whoever they are ({@code node-limits} in
 * {@link BackendConfig}). Past a limit the request is answered BUSY with a retry-after, which the SDK retries
 * within its retry budget; the defaults keep a node within a 1 GiB heap (256 MiB of staged writes, 256 MiB of
 * read buffers).
 *
 * @param maxSessions sessions hosted at once ({@code max-sessions}, default 4,096)
 * @param maxSessionsPerPrincipal sessions one principal (the token's subject, passed on by the API tier) holds on
 *     this node at once ({@code max-sessions-per-principal}, default 512); sessions without a principal count
 *     towards {@code max-sessions} only
 * @param maxStagedBytes bytes of written events staged (written, not yet committed) over all write sessions
 *     ({@code max-staged-bytes}, default 256 MiB): a writer that never commits cannot fill the heap, only its
 *     own window
 * @param maxPrefetchBytes bytes of read buffers over all read sessions and tail readers ({@code
 *     max-prefetch-bytes}, default 256 MiB): every session's read-ahead and every tailed topic's shared cache
 * @param maxRequestsPerPrincipal requests of one principal this node handles at once, long polls included
 *     ({@code max-requests-per-principal}, default 256, a quarter of the node's AMQP delivery window), so one
 *     client cannot take all of a node's request capacity
 * @param maxQueueDelay how long the node's requests may wait ({@code max-queue-delay}, default 5 s): while even
 *     the quickest write or ack of the last second took longer from arrival to answer, new writes, reads and
 *     allocations are answered BUSY with a retry-after at once, so an overloaded node sheds work instead of letting
 *     requests queue until their deadlines pass and their clients send them again
 * @param maxStagedBytesPerPrincipal bytes of written, uncommitted events one principal's write sessions hold on this
 *     node at once ({@code max-staged-bytes-per-principal}, default a quarter of {@code max-staged-bytes}), so one
 *     principal's writers cannot spend the node's budget and leave every other principal BUSY; sessions without a
 *     principal count towards {@code max-staged-bytes} only
 * @param maxPrefetchBytesPerPrincipal bytes of read-ahead one principal's read sessions hold on this node at once
 *     ({@code max-prefetch-bytes-per-principal}, default a quarter of {@code max-prefetch-bytes}): past it a read of
 *     that principal with nothing read ahead is BUSY while other principals still read; tail caches, shared by
 *     every reader of a topic, count towards {@code max-prefetch-bytes} only
 */
public record NodeLimits(
        int maxSessions,
        int maxSessionsPerPrincipal,
        long maxStagedBytes,
        long maxPrefetchBytes,
        int maxRequestsPerPrincipal,
        Duration maxQueueDelay,
        long maxStagedBytesPerPrincipal,
        long maxPrefetchBytesPerPrincipal) {
    public static final int DEFAULT_MAX_SESSIONS = 4096;
    public static final int DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 512;
    public static final long DEFAULT_MAX_STAGED_BYTES = 256L << 20;
    public static final long DEFAULT_MAX_PREFETCH_BYTES = 256L << 20;
    public static final int DEFAULT_MAX_REQUESTS_PER_PRINCIPAL = 256;
    public static final Duration DEFAULT_MAX_QUEUE_DELAY = Duration.ofSeconds(5);
    /** A principal's share of {@code max-staged-bytes} or {@code max-prefetch-bytes} when none is configured: a quarter. */
    public static final int DEFAULT_PRINCIPAL_SHARES = 4;

    /** A quarter of a node-wide budget, at least one byte: the default per-principal share of it. */
    public static long defaultShare(long nodeBudget) {
        return Math.max(1, nodeBudget / DEFAULT_PRINCIPAL_SHARES);
    }

    /** With the default per-principal shares (a quarter of {@code maxStagedBytes} and of {@code maxPrefetchBytes}). */
    public NodeLimits(
            int maxSessions,
            int maxSessionsPerPrincipal,
            long maxStagedBytes,
            long maxPrefetchBytes,
            int maxRequestsPerPrincipal,
            Duration maxQueueDelay) {
        this(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                defaultShare(maxStagedBytes),
                defaultShare(maxPrefetchBytes));
    }

    /** With the default {@code max-queue-delay}. */
    public NodeLimits(
            int maxSessions,
            int maxSessionsPerPrincipal,
            long maxStagedBytes,
            long maxPrefetchBytes,
            int maxRequestsPerPrincipal) {
        this(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                DEFAULT_MAX_QUEUE_DELAY);
    }

    public NodeLimits {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max-sessions must be at least 1, got " + maxSessions);
        }
        if (maxSessionsPerPrincipal < 1) {
            throw new IllegalArgumentException(
                    "max-sessions-per-principal must be at least 1, got " + maxSessionsPerPrincipal);
        }
        if (maxStagedBytes < 1) {
            throw new IllegalArgumentException("max-staged-bytes must be at least 1, got " + maxStagedBytes);
        }
        if (maxPrefetchBytes < 1) {
            throw new IllegalArgumentException("max-prefetch-bytes must be at least 1, got " + maxPrefetchBytes);
        }
        if (maxRequestsPerPrincipal < 1) {
            throw new IllegalArgumentException(
                    "max-requests-per-principal must be at least 1, got " + maxRequestsPerPrincipal);
        }
        if (maxStagedBytesPerPrincipal < 1) {
            throw new IllegalArgumentException(
                    "max-staged-bytes-per-principal must be at least 1, got " + maxStagedBytesPerPrincipal);
        }
        if (maxPrefetchBytesPerPrincipal < 1) {
            throw new IllegalArgumentException(
                    "max-prefetch-bytes-per-principal must be at least 1, got " + maxPrefetchBytesPerPrincipal);
        }
        if (maxQueueDelay == null || maxQueueDelay.toMillis() < 1) {
            throw new IllegalArgumentException("max-queue-delay must be at least 1ms, got " + maxQueueDelay);
        }
    }

    public static NodeLimits defaults() {
        return new NodeLimits(
                DEFAULT_MAX_SESSIONS,
                DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
                DEFAULT_MAX_STAGED_BYTES,
                DEFAULT_MAX_PREFETCH_BYTES,
                DEFAULT_MAX_REQUESTS_PER_PRINCIPAL);
    }

    public NodeLimits withMaxSessions(int value) {
        return new NodeLimits(
                value,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                maxStagedBytesPerPrincipal,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxSessionsPerPrincipal(int value) {
        return new NodeLimits(
                maxSessions,
                value,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                maxStagedBytesPerPrincipal,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxStagedBytes(long value) {
        return new NodeLimits(
                maxSessions,
                maxSessionsPerPrincipal,
                value,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                maxStagedBytesPerPrincipal,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxPrefetchBytes(long value) {
        return new NodeLimits(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                value,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                maxStagedBytesPerPrincipal,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxRequestsPerPrincipal(int value) {
        return new NodeLimits(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                value,
                maxQueueDelay,
                maxStagedBytesPerPrincipal,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxQueueDelay(Duration value) {
        return new NodeLimits(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                value,
                maxStagedBytesPerPrincipal,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxStagedBytesPerPrincipal(long value) {
        return new NodeLimits(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                value,
                maxPrefetchBytesPerPrincipal);
    }

    public NodeLimits withMaxPrefetchBytesPerPrincipal(long value) {
        return new NodeLimits(
                maxSessions,
                maxSessionsPerPrincipal,
                maxStagedBytes,
                maxPrefetchBytes,
                maxRequestsPerPrincipal,
                maxQueueDelay,
                maxStagedBytesPerPrincipal,
                value);
    }
}
