package dev.switchboard.api;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Configuration of one API node. Keys (kebab-case in YAML): {@code host}, {@code port}, {@code request-timeout},
 * {@code max-request-bytes}, {@code read-wait-margin}, {@code tcp-port}, {@code max-stream-window}, and the keys of
 * {@link ApiLimits}. Validated on construction; messages name the key.
 *
 * @param host the address to listen on
 * @param port the port to listen on; 0 picks any free port
 * @param requestTimeout how long a call other than read may take end to end before it answers UNAVAILABLE
 * @param maxRequestBytes the largest request body accepted, after gzip decompression; larger bodies get 413
 * @param readWaitMargin added to a read's long-poll wait to get its deadline, so a long poll that ends on time is
 *     not mistaken for a slow backend
 * @param limits what one client may hold of the node's memory and connections ({@link ApiLimits})
 * @param tcpPort the binary TCP port ({@code tcp-port}; {@code sb://}, or {@code sbs://} with TLS) on the same host;
 *     empty = not served, 0 picks any free port
 * @param maxStreamWindow the largest credit window a streamed read on the TCP port gets ({@code max-stream-window},
 *     batches); a stream asking for more gets this many
 */
public record ApiConfig(
        String host,
        int port,
        Duration requestTimeout,
        int maxRequestBytes,
        Duration readWaitMargin,
        ApiLimits limits,
        OptionalInt tcpPort,
        int maxStreamWindow) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The backend's largest chunk (8 MiB of events) plus room for framing; below the switch's message limit
     * (10 MiB), itself below the brokers' (RabbitMQ 4: 16 MiB), so whatever the API accepts can reach a backend.
     */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 9 * 1024 * 1024;

    public static final Duration DEFAULT_READ_WAIT_MARGIN = Duration.ofSeconds(5);

    public static final int DEFAULT_MAX_STREAM_WINDOW = 8;
    public static final int MAX_MAX_STREAM_WINDOW = 1024;

    /** Bounds the body buffer; far above any sensible chunk, far below an int's range. */
    public static final int MAX_MAX_REQUEST_BYTES = 1024 * 1024 * 1024;

    public ApiConfig(String host, int port, Duration requestTimeout, int maxRequestBytes, Duration readWaitMargin) {
        this(host, port, requestTimeout, maxRequestBytes, readWaitMargin, ApiLimits.defaults());
    }

    /** Without the TCP port. */
    public ApiConfig(
            String host,
            int port,
            Duration requestTimeout,
            int maxRequestBytes,
            Duration readWaitMargin,
            ApiLimits limits) {
        this(host, port, requestTimeout, maxRequestBytes, readWaitMargin, limits, OptionalInt.empty());
    }

    /** With the default {@code max-stream-window}. */
    public ApiConfig(
            String host,
            int port,
            Duration requestTimeout,
            int maxRequestBytes,
            Duration readWaitMargin,
            ApiLimits limits,
            OptionalInt tcpPort) {
        this(host, port, requestTimeout, maxRequestBytes, readWaitMargin, limits, tcpPort, DEFAULT_MAX_STREAM_WINDOW);
    }

    public ApiConfig {
        Objects.requireNonNull(host, "host is required");
        Objects.requireNonNull(limits, "limits are required");
        tcpPort = tcpPort == null ? OptionalInt.empty() : tcpPort;
        if (tcpPort.isPresent() && (tcpPort.getAsInt() < 0 || tcpPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("tcp-port must be between 0 and 65535, got: " + tcpPort.getAsInt());
        }
        Objects.requireNonNull(requestTimeout, "request-timeout is required");
        Objects.requireNonNull(readWaitMargin, "read-wait-margin is required");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got: " + port);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request-timeout must be positive, got: " + requestTimeout);
        }
        if (maxRequestBytes < 1 || maxRequestBytes > MAX_MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException(
                    "max-request-bytes must be between 1 and " + MAX_MAX_REQUEST_BYTES + ", got: " + maxRequestBytes);
        }
        if (readWaitMargin.isNegative()) {
            throw new IllegalArgumentException("read-wait-margin must not be negative, got: " + readWaitMargin);
        }
        if (maxStreamWindow < 1 || maxStreamWindow > MAX_MAX_STREAM_WINDOW) {
            throw new IllegalArgumentException(
                    "max-stream-window must be between 1 and " + MAX_MAX_STREAM_WINDOW + ", got: " + maxStreamWindow);
        }
    }

    public static ApiConfig defaults() {
        return new ApiConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_READ_WAIT_MARGIN);
    }

    public ApiConfig withHost(String newHost) {
        return new ApiConfig(
                newHost, port, requestTimeout, maxRequestBytes, readWaitMargin, limits, tcpPort, maxStreamWindow);
    }

    public ApiConfig withPort(int newPort) {
        return new ApiConfig(
                host, newPort, requestTimeout, maxRequestBytes, readWaitMargin, limits, tcpPort, maxStreamWindow);
    }

    public ApiConfig withRequestTimeout(Duration newRequestTimeout) {
        return new ApiConfig(
                host, port, newRequestTimeout, maxRequestBytes, readWaitMargin, limits, tcpPort, maxStreamWindow);
    }

    public ApiConfig withMaxRequestBytes(int newMaxRequestBytes) {
        return new ApiConfig(
                host, port, requestTimeout, newMaxRequestBytes, readWaitMargin, limits, tcpPort, maxStreamWindow);
    }

    public ApiConfig withReadWaitMargin(Duration newReadWaitMargin) {
        return new ApiConfig(
                host, port, requestTimeout, maxRequestBytes, newReadWaitMargin, limits, tcpPort, maxStreamWindow);
    }

    /** Also serves the binary TCP port on {@code newTcpPort} (0 = any free port). */
    public ApiConfig withTcpPort(int newTcpPort) {
        return new ApiConfig(
                host,
                port,
                requestTimeout,
                maxRequestBytes,
                readWaitMargin,
                limits,
                OptionalInt.of(newTcpPort),
                maxStreamWindow);
    }

    /** Streamed reads get a credit window of at most {@code newMaxStreamWindow} batches. */
    public ApiConfig withMaxStreamWindow(int newMaxStreamWindow) {
        return new ApiConfig(
                host, port, requestTimeout, maxRequestBytes, readWaitMargin, limits, tcpPort, newMaxStreamWindow);
    }

    public ApiConfig withLimits(ApiLimits newLimits) {
        return new ApiConfig(
                host, port, requestTimeout, maxRequestBytes, readWaitMargin, newLimits, tcpPort, maxStreamWindow);
    }
}
