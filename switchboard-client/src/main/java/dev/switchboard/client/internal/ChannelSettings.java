package dev.switchboard.client.internal;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * How the SDK reaches the API tier.
 *
 * @param urls base URLs of API nodes, tried in order; the next one is used when a connection fails: {@code http(s)://}
 *     for HTTP, {@code sb://host:port} for the binary TCP transport, {@code sbs://host:port} for it over TLS
 * @param token the bearer token to send, asked for on every request (so a refreshed token is picked up)
 * @param requestTimeout how long one HTTP exchange may take (a read's long-poll wait is added on top)
 * @param connectTimeout how long connecting to one URL may take before the next one is tried
 * @param gzipThreshold request bodies larger than this many bytes are sent gzip-compressed
 * @param tls how HTTPS servers are verified: empty = the JDK's default trust store; server certificates and host
 *     names are always verified
 */
public record ChannelSettings(
        List<URI> urls,
        Supplier<Optional<String>> token,
        Duration requestTimeout,
        Duration connectTimeout,
        int gzipThreshold,
        Optional<SSLContext> tls) {

    /** With the JDK's default trust store. */
    public ChannelSettings(
            List<URI> urls,
            Supplier<Optional<String>> token,
            Duration requestTimeout,
            Duration connectTimeout,
            int gzipThreshold) {
        this(urls, token, requestTimeout, connectTimeout, gzipThreshold, Optional.empty());
    }

    public ChannelSettings {
        tls = tls == null ? Optional.empty() : tls;
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one url is needed");
        }
        for (URI url : urls) {
            String scheme = url.getScheme();
            if (!"http".equalsIgnoreCase(scheme)
                    && !"https".equalsIgnoreCase(scheme)
                    && !"sb".equalsIgnoreCase(scheme)
                    && !"sbs".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("url must be http, https, sb or sbs, got " + url);
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("url has no host: " + url);
            }
            if (isTcp(url) && url.getPort() < 0) {
                throw new IllegalArgumentException("an " + scheme + " url needs a port (the API's tcp-port): " + url);
            }
        }
        Objects.requireNonNull(token, "token");
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("connectTimeout", connectTimeout);
        if (gzipThreshold < 0) {
            throw new IllegalArgumentException("gzipThreshold must not be negative, got " + gzipThreshold);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Whether {@code url} names the binary TCP transport ({@code sb://}, {@code sbs://}). */
    static boolean isTcp(URI url) {
        return "sb".equalsIgnoreCase(url.getScheme()) || "sbs".equalsIgnoreCase(url.getScheme());
    }

    /** Where the Thrift endpoint of base URL {@code base} is. */
    static URI endpoint(URI base) {
        String text = base.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text + "/v1/thrift");
    }
}
