package dev.switchboard.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What one API node lets a client hold of its memory and connections, whoever the client is. Keys (kebab-case):
 * {@code max-unauthenticated-request-bytes}, {@code max-body-bytes-in-flight}, {@code idle-timeout},
 * {@code min-request-data-rate}, {@code max-connections}, {@code max-calls-per-principal}, {@code header-timeout},
 * {@code max-queue-delay}. The
 * defaults keep a node
 * within a 1 GiB heap: at most 128 MiB of request bodies at once, 4,096 connections of at most 8 KiB of headers
 * each, and no principal with more than 1,024 calls in progress.
 *
 * @param maxUnauthenticatedRequestBytes the largest body read for a request that carries no request MAC headers
 *     (allocate, or a stranger): allocate requests are small, so a stranger cannot make the node buffer 16 MiB
 * @param maxBodyBytesInFlight all request bodies being read or handled on this node at once, in bytes; a request
 *     that would go over it is answered 429 with {@code Retry-After} (the SDK reads that as BUSY and retries)
 * @param idleTimeout how long a connection may stay silent between requests and while sending headers or a body
 *     (long polls are exempt while the node waits for their answer)
 * @param minRequestDataRate the slowest a body may arrive, in bytes per second, measured after the first second;
 *     slower senders are cut off (408)
 * @param maxConnections connections this node accepts at once; further ones wait in the kernel's backlog
 * @param maxCallsPerPrincipal calls of one principal (a token's subject) this node handles at once, long polls
 *     and the backend calls of streamed reads included (a stream waits a BUSY out); further ones are answered BUSY with retry-after. Calls of a session allocated through another API
 *     node are not counted here (the backend's {@code limits.max-requests-per-principal} holds them).
 * @param headerTimeout how long a request head may take from its first byte to its last
 * @param maxQueueDelay how long this node's requests may take from arrival to answer ({@code limits.max-queue-delay},
 *     the backend's key): while even the quickest writes and acks of the last second took longer, new writes, reads
 *     and allocations are answered BUSY with a retry-after at once (commits, acks and disposes never are)
 */
public record ApiLimits(
        int maxUnauthenticatedRequestBytes,
        long maxBodyBytesInFlight,
        Duration idleTimeout,
        long minRequestDataRate,
        int maxConnections,
        int maxCallsPerPrincipal,
        Duration headerTimeout,
        Duration maxQueueDelay) {

    public static final int DEFAULT_MAX_UNAUTHENTICATED_REQUEST_BYTES = 64 * 1024;
    public static final long DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 128L * 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MIN_REQUEST_DATA_RATE = 16 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_MAX_CALLS_PER_PRINCIPAL = 1024;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** The backend's default too: far under the 30 s request deadline, far over a healthy node's answers. */
    public static final Duration DEFAULT_MAX_QUEUE_DELAY = Duration.ofSeconds(5);

    public ApiLimits {
        Objects.requireNonNull(idleTimeout, "idle-timeout is required");
        Objects.requireNonNull(headerTimeout, "header-timeout is required");
        Objects.requireNonNull(maxQueueDelay, "max-queue-delay is required");
        if (maxQueueDelay.toMillis() < 1) {
            throw new IllegalArgumentException("max-queue-delay must be at least 1ms, got: " + maxQueueDelay);
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("header-timeout must be positive, got: " + headerTimeout);
        }
        if (maxUnauthenticatedRequestBytes < 1) {
            throw new IllegalArgumentException(
                    "max-unauthenticated-request-bytes must be positive, got: " + maxUnauthenticatedRequestBytes);
        }
        if (maxBodyBytesInFlight < 1) {
            throw new IllegalArgumentException(
                    "max-body-bytes-in-flight must be positive, got: " + maxBodyBytesInFlight);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle-timeout must be positive, got: " + idleTimeout);
        }
        if (minRequestDataRate < 0) {
            throw new IllegalArgumentException(
                    "min-request-data-rate must not be negative (0 turns it off), got: " + minRequestDataRate);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be positive, got: " + maxConnections);
        }
        if (maxCallsPerPrincipal < 1) {
            throw new IllegalArgumentException(
                    "max-calls-per-principal must be positive, got: " + maxCallsPerPrincipal);
        }
    }

    public static ApiLimits defaults() {
        return new ApiLimits(
                DEFAULT_MAX_UNAUTHENTICATED_REQUEST_BYTES,
                DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MIN_REQUEST_DATA_RATE,
                DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_CALLS_PER_PRINCIPAL,
                DEFAULT_HEADER_TIMEOUT,
                DEFAULT_MAX_QUEUE_DELAY);
    }

    public ApiLimits withMaxUnauthenticatedRequestBytes(int value) {
        return new ApiLimits(
                value,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout,
                maxQueueDelay);
    }

    public ApiLimits withMaxBodyBytesInFlight(long value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                value,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout,
                maxQueueDelay);
    }

    public ApiLimits withIdleTimeout(Duration value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                value,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout,
                maxQueueDelay);
    }

    public ApiLimits withMinRequestDataRate(long value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                value,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout,
                maxQueueDelay);
    }

    public ApiLimits withMaxConnections(int value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                value,
                maxCallsPerPrincipal,
                headerTimeout,
                maxQueueDelay);
    }

    public ApiLimits withMaxCallsPerPrincipal(int value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                value,
                headerTimeout,
                maxQueueDelay);
    }

    public ApiLimits withHeaderTimeout(Duration value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                value,
                maxQueueDelay);
    }

    public ApiLimits withMaxQueueDelay(Duration value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout,
                value);
    }
}
