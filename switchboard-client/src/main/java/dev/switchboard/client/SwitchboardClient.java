package dev.switchboard.client;

import dev.switchboard.client.internal.ChannelSettings;
import dev.switchboard.client.internal.ClientRuntime;
import dev.switchboard.core.tls.TrustedCertificates;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The entry point of the SDK: a connection to one Switchboard deployment (one or more API node URLs) that
 * creates {@link Publisher}s and {@link Subscriber}s.
 *
 * <pre>{@code
 * try (SwitchboardClient client = SwitchboardClient.builder().url(URI.create("http://127.0.0.1:8080")).build();
 *         Publisher publisher = client.publisher(PublisherOptions.of("orders"))) {
 *     publisher.publish(List.of(Event.of("order 1"), Event.of("order 2")));
 * }
 * }</pre>
 *
 * <p>Requests go as Thrift compact calls to {@code POST <url>/v1/thrift} over HTTP/1.1, gzip-compressed when
 * large; for {@code sb://host:port} (plain) and {@code sbs://host:port} (TLS) URLs, over the API's binary TCP port
 * instead: one connection per URL carries every call of the client, pipelined. A request whose answer is lost is resent (to the next URL when a connection fails) under the
 * {@link RetryPolicy}; every call of the protocol is idempotent, so this never duplicates or loses an operation.
 * Thread-safe; closing the client closes every publisher (flushing it) and subscriber it created.
 */
public final class SwitchboardClient implements AutoCloseable {
    private final ClientRuntime runtime;

    private SwitchboardClient(ClientRuntime runtime) {
        this.runtime = runtime;
    }

    /** A builder; at least one URL is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Allocates a write session for {@code options.topic()} and returns a publisher using it.
     *
     * @throws SwitchboardClientException when the session cannot be allocated (unknown topic, no permission, ...)
     */
    public Publisher publisher(PublisherOptions options) {
        return runtime.publisher(Objects.requireNonNull(options, "options"));
    }

    /**
     * Allocates a read session for {@code options.topic()}, from the saved cursor or the start position, and
     * returns a subscriber using it.
     *
     * @throws SwitchboardClientException when the session cannot be allocated (unknown topic, no permission, ...)
     */
    public Subscriber subscriber(SubscriberOptions options) {
        return runtime.subscriber(Objects.requireNonNull(options, "options"));
    }

    /**
     * Whether this client's subscribers read by streaming delivery: every URL is {@code sb://} or {@code sbs://}
     * (a subscriber whose options say {@code streamWindow(0)} polls all the same); else they poll.
     */
    public boolean streamsReads() {
        return runtime.streamsReads();
    }

    /** Closes every publisher (flushing it) and subscriber still open, then the HTTP client. */
    @Override
    public void close() {
        runtime.close();
    }

    /** Builds a {@link SwitchboardClient}. */
    public static final class Builder {
        private final List<URI> urls = new ArrayList<>();
        private Supplier<Optional<String>> token = Optional::empty;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int gzipThreshold = 64 * 1024;
        private RetryPolicy retry = RetryPolicy.defaults();
        private Optional<SSLContext> tls = Optional.empty();

        private Builder() {}

        /**
         * Uses the API node at {@code url} (e.g. {@code http://127.0.0.1:8080}, or {@code sb://127.0.0.1:8081} for
         * its binary TCP port); replaces earlier URLs.
         */
        public Builder url(URI url) {
            return urls(List.of(url));
        }

        /** Uses these API nodes, the first one first; a connection failure moves on to the next. */
        public Builder urls(List<URI> urls) {
            this.urls.clear();
            this.urls.addAll(List.copyOf(urls));
            return this;
        }

        /** Sends {@code Authorization: Bearer <token>} with every request. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            return tokenSupplier(() -> Optional.of(token));
        }

        /** Asks {@code tokens} for the bearer token before every request, so refreshed tokens are used. */
        public Builder tokenSupplier(Supplier<Optional<String>> tokens) {
            this.token = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * Trusts the CA certificates (or self-signed server certificate) in a PEM file for {@code https} URLs,
         * instead of the JDK's default trust store. Server certificates and host names are always verified.
         */
        public Builder trustedCertificates(Path pemFile) {
            this.tls = Optional.of(TrustedCertificates.sslContext(pemFile));
            return this;
        }

        /** Uses this TLS context for {@code https} URLs (client certificates, custom trust). */
        public Builder sslContext(SSLContext context) {
            this.tls = Optional.of(Objects.requireNonNull(context, "context"));
            return this;
        }

        /** How long one HTTP request may take (a long poll's wait is added); default 30 s. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        /** How long connecting to one URL may take before the next is tried; default 5 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /** Request bodies larger than this are gzip-compressed; default 64 KiB. */
        public Builder gzipThreshold(int bytes) {
            this.gzipThreshold = bytes;
            return this;
        }

        /** How lost answers and retriable errors are retried; default {@link RetryPolicy#defaults()}. */
        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The client; throws {@link IllegalArgumentException} naming an invalid setting. No I/O happens yet. */
        public SwitchboardClient build() {
            ChannelSettings settings =
                    new ChannelSettings(urls, token, requestTimeout, connectTimeout, gzipThreshold, tls);
            return new SwitchboardClient(new ClientRuntime(settings, retry));
        }
    }
}
