package dev.switchboard.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What one API node lets a client hold of its memory and connections, whoever the client is. Keys (kebab-case):
 * {@code max-unauthenticated-request-bytes}, {@code max-body-bytes-in-flight}, {@code idle-timeout},
 * {@code min-request-data-rate}, {@code max-connections}, {@code max-calls-per-principal}, {@code header-timeout}. The
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
 */
public record ApiLimits(
        int maxUnauthenticatedRequestBytes,
        long maxBodyBytesInFlight,
        Duration idleTimeout,
        long minRequestDataRate,
        int maxConnections,
        int maxCallsPerPrincipal,
        Duration headerTimeout) {

    public static final int DEFAULT_MAX_UNAUTHENTICATED_REQUEST_BYTES = 64 * 1024;
    public static final long DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 128L * 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MIN_REQUEST_DATA_RATE = 16 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_MAX_CALLS_PER_PRINCIPAL = 1024;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

    public ApiLimits {
        Objects.requireNonNull(idleTimeout, "idle-timeout is required");
        Objects.requireNonNull(headerTimeout, "header-timeout is required");
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
                DEFAULT_HEADER_TIMEOUT);
    }

    public ApiLimits withMaxUnauthenticatedRequestBytes(int value) {
        return new ApiLimits(
                value,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout);
    }

    public ApiLimits withMaxBodyBytesInFlight(long value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                value,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout);
    }

    public ApiLimits withIdleTimeout(Duration value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                value,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout);
    }

    public ApiLimits withMinRequestDataRate(long value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                value,
                maxConnections,
                maxCallsPerPrincipal,
                headerTimeout);
    }

    public ApiLimits withMaxConnections(int value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                value,
                maxCallsPerPrincipal,
                headerTimeout);
    }

    public ApiLimits withMaxCallsPerPrincipal(int value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                value,
                headerTimeout);
    }

    public ApiLimits withHeaderTimeout(Duration value) {
        return new ApiLimits(
                maxUnauthenticatedRequestBytes,
                maxBodyBytesInFlight,
                idleTimeout,
                minRequestDataRate,
                maxConnections,
                maxCallsPerPrincipal,
                value);
    }
}
