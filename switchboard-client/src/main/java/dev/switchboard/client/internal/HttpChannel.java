package dev.switchboard.client.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.compress.CompressionPolicy;
import dev.switchboard.protocol.compress.Lz4Frames;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts Thrift call messages to {@code <url>/v1/thrift} over HTTP/1.1 and returns the answer's body. Its
 * {@link #endpoint}s share one HTTP client; as an {@link Exchanger} of its own it fails over between its HTTP URLs
 * ({@link FailoverChannel}). Outcomes: the body of a 200 answer; {@link TransientFailure} when the answer was lost or the
 * server failed (5xx, 408), to be retried; {@link SwitchboardException} for a 4xx, with the server's text.
 *
 * <p>Compression, negotiated per API node: every answer of a current node names the codings it accepts
 * ({@code Accept-Encoding: lz4, gzip}); once a node said {@code lz4}, bodies of at least
 * {@value Lz4Frames#MIN_BYTES} bytes go to it LZ4-compressed while that pays ({@link CompressionPolicy}), never
 * gzipped. A node that did not (an older one) gets bodies above the gzip threshold gzipped, by the same rule, and an
 * LZ4 body it refuses with 415 (a node rolled back) is sent again uncompressed at once. Answers: the channel asks
 * for {@code lz4} (and {@code gzip} from nodes not known to take LZ4), stops asking for LZ4 for a while when large
 * answers come back uncompressed (they did not pay on the node), and for gzip when gzipped answers did not pay.
 * Every "pays" is {@link CompressionPolicy#pays}: a body shrinking by at least a fifth. Thread-safe.
 */
final class HttpChannel implements Exchanger {
    private static final Logger LOGGER = LoggerFactory.getLogger(HttpChannel.class);
    private static final String CONTENT_TYPE = "application/vnd.apache.thrift.compact";
    private static final int MAX_ERROR_TEXT = 1000;
    /** The largest answer accepted after decompression: a read answer is at most a few chunks of events. */
    private static final int MAX_ANSWER_BYTES = 256 * 1024 * 1024;

    private final ChannelSettings settings;
    private final HttpClient http;
    private final CompressionPolicy gzipRequests;
    private final CompressionPolicy gzipAnswers = new CompressionPolicy(0);
    private final CompressionPolicy lz4Requests = new CompressionPolicy(Lz4Frames.MIN_BYTES);
    private final CompressionPolicy lz4Answers = new CompressionPolicy(Lz4Frames.MIN_BYTES);
    private final FailoverChannel failover;

    HttpChannel(ChannelSettings settings) {
        this.settings = settings;
        int gzipThreshold = settings.gzipThreshold();
        // bodies larger than the threshold (ChannelSettings), so at least one byte more
        this.gzipRequests =
                new CompressionPolicy(gzipThreshold == Integer.MAX_VALUE ? gzipThreshold : gzipThreshold + 1);
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // The client's own steps run where they arise (caller or selector thread) instead of hopping
                // through a thread pool for each one: every exchange is a blocking send() whose body handlers
                // (byte arrays) never block. Measured: 15-30% less CPU per event for 100-event chunks and polls, the
                // same for 500-event ones.
                .executor(Runnable::run);
        settings.tls().ifPresent(builder::sslContext);
        this.http = builder.build();
        this.failover = new FailoverChannel(
                settings.urls().stream()
                        .filter(url -> !ChannelSettings.isTcp(url))
                        .map(this::endpoint)
                        .toList(),
                List.of());
    }

    /** A request body as posted, and its content coding (empty: none). */
    private record Body(byte[] bytes, String coding) {}

    /** What this channel knows of one API node: whether it said it accepts LZ4 bodies. */
    private static final class NodeCodings {
        private volatile boolean lz4;
    }

    private Body body(byte[] message, boolean lz4) {
        if (lz4) {
            if (lz4Requests.compress(message.length)) {
                byte[] compressed = Lz4Frames.compress(message);
                if (lz4Requests.paid(message.length, compressed.length)) {
                    return new Body(compressed, Lz4Frames.CODING);
                }
            }
            return new Body(message, ""); // LZ4 is far cheaper than gzip: a node that takes it never gets gzip
        }
        if (gzipRequests.compress(message.length)) {
            byte[] compressed = Gzip.compress(message);
            if (gzipRequests.paid(message.length, compressed.length)) {
                return new Body(compressed, "gzip");
            }
        }
        return new Body(message, ""); // a body that did not pay goes as it is: the node need not inflate it
    }

    @Override
    public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure, InterruptedException {
        return exchange(message, extraTime, Map.of());
    }

    /** With failover over this channel's own (HTTP) URLs. */
    @Override
    public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
            throws TransientFailure, InterruptedException {
        return failover.exchange(message, extraTime, headers);
    }

    /** The endpoint for one {@code http(s)} base URL, on this channel's HTTP client. */
    Endpoint endpoint(URI base) {
        URI endpoint = ChannelSettings.endpoint(base);
        NodeCodings codings = new NodeCodings();
        return new Endpoint() {
            @Override
            public URI url() {
                return base;
            }

            @Override
            public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
                    throws ConnectException, TransientFailure, InterruptedException {
                return exchangeWith(endpoint, codings, message, extraTime, headers);
            }

            @Override
            public void close() {
                // the HTTP client is the channel's
            }
        };
    }

    private byte[] exchangeWith(
            URI endpoint, NodeCodings codings, byte[] message, Duration extraTime, Map<String, String> headers)
            throws ConnectException, TransientFailure, InterruptedException {
        Body body = body(message, codings.lz4);
        boolean lz4Answer = lz4Answers.tryNow();
        HttpResponse<byte[]> response = send(endpoint, codings, body, lz4Answer, extraTime, headers);
        if (response.statusCode() == 415 && body.coding().equals(Lz4Frames.CODING)) {
            // the node no longer takes LZ4 (rolled back): it did not run the call, so send it again as it is
            LOGGER.info("the API node refused an LZ4 body, sending uncompressed url={}", endpoint);
            codings.lz4 = false;
            response = send(endpoint, codings, new Body(message, ""), lz4Answer, extraTime, headers);
        }
        return answer(endpoint, response, lz4Answer);
    }

    private HttpResponse<byte[]> send(
            URI endpoint,
            NodeCodings codings,
            Body body,
            boolean lz4Answer,
            Duration extraTime,
            Map<String, String> headers)
            throws ConnectException, TransientFailure, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(
                    request(endpoint, body, acceptEncoding(codings, lz4Answer), extraTime, headers),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw e;
        } catch (HttpConnectTimeoutException e) {
            throw new ConnectException(e.toString());
        } catch (javax.net.ssl.SSLHandshakeException e) {
            // retrying cannot help: the server's certificate is not trusted (or TLS is misconfigured)
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE,
                    "TLS handshake with " + endpoint + " failed: " + describe(e)
                            + " (is the server's certificate trusted? see trustedCertificates / --ca-file)");
        } catch (IOException e) {
            throw new TransientFailure("no answer from " + endpoint + ": " + describe(e), e);
        }
        codings.lz4 = response.headers().allValues("Accept-Encoding").stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .anyMatch(coding -> coding.strip().equalsIgnoreCase(Lz4Frames.CODING));
        return response;
    }

    /** The codings to accept in the answer: none, lz4, gzip or both (gzip only from nodes not known to take LZ4). */
    private String acceptEncoding(NodeCodings codings, boolean lz4Answer) {
        boolean gzipAnswer = !codings.lz4 && gzipAnswers.tryNow();
        if (lz4Answer) {
            return gzipAnswer ? "lz4, gzip" : Lz4Frames.CODING;
        }
        return gzipAnswer ? "gzip" : "";
    }

    private HttpRequest request(
            URI endpoint, Body body, String acceptEncoding, Duration extraTime, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(settings.requestTimeout().plus(extraTime))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        if (!body.coding().isEmpty()) {
            request.header("Content-Encoding", body.coding());
        }
        headers.forEach(request::header);
        if (!acceptEncoding.isEmpty()) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        Optional<String> token = settings.token().get();
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        return request.build();
    }

    private byte[] answer(URI endpoint, HttpResponse<byte[]> response, boolean lz4Answer) throws TransientFailure {
        int status = response.statusCode();
        byte[] body = decoded(endpoint, response, lz4Answer && status == 200);
        if (status == 200) {
            return body;
        }
        if (status >= 500 || status == 408) {
            throw new TransientFailure("HTTP " + status + " from " + endpoint);
        }
        String text = errorText(body).orElse("HTTP " + status + " from " + endpoint);
        if (status == 404 || status == 405) {
            // not a Switchboard endpoint: say where we asked, since the server's own text ("not found") cannot
            text = "HTTP " + status + " from " + endpoint + ": "
                    + errorText(body).orElse("no text") + " (is the URL the base URL of a Switchboard API node?)";
        }
        LOGGER.debug("request rejected url={} status={} text={}", endpoint, status, text);
        throw switch (status) {
            case 401 -> SwitchboardException.of(ErrorCode.UNAUTHENTICATED, text);
            case 403 -> SwitchboardException.of(ErrorCode.FORBIDDEN, text);
            case 413 -> SwitchboardException.of(ErrorCode.PAYLOAD_TOO_LARGE, text);
            case 429 -> SwitchboardException.busy(retryAfterMs(response), text);
            default -> SwitchboardException.of(ErrorCode.INVALID_REQUEST, text);
        };
    }

    private byte[] decoded(URI endpoint, HttpResponse<byte[]> response, boolean lz4Asked) throws TransientFailure {
        String coding = response.headers()
                .firstValue("Content-Encoding")
                .map(value -> value.strip().toLowerCase(java.util.Locale.ROOT))
                .orElse("");
        byte[] received = response.body();
        switch (coding) {
            case "gzip" -> {
                try {
                    byte[] decompressed = Gzip.decompress(received);
                    gzipAnswers.paid(decompressed.length, received.length); // not paying: stop asking a while
                    return decompressed;
                } catch (IOException e) {
                    throw new TransientFailure("corrupt gzip answer from " + endpoint, e);
                }
            }
            case Lz4Frames.CODING -> {
                try {
                    return Lz4Frames.decompress(received, MAX_ANSWER_BYTES);
                } catch (IOException e) {
                    throw new TransientFailure("corrupt LZ4 answer from " + endpoint + ": " + e.getMessage(), e);
                }
            }
            default -> {
                if (lz4Asked && received.length >= Lz4Frames.MIN_BYTES) {
                    lz4Answers.notCompressed(); // large, yet the node found LZ4 did not pay: stop asking for a while
                }
                return received;
            }
        }
    }

    private static Optional<String> errorText(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) + "..." : text);
    }

    private static long retryAfterMs(HttpResponse<byte[]> response) {
        try {
            return response.headers()
                    .firstValue("Retry-After")
                    .map(value -> Long.parseLong(value.strip()) * 1000)
                    .orElse(-1L);
        } catch (NumberFormatException e) {
            return -1; // an HTTP date; the retry policy's own backoff will do
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        http.shutdownNow(); // close() would wait for a pending long poll
    }
}
