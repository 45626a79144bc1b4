package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.compress.Lz4Frames;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP transport against a real (JDK) HTTP server on the loopback interface. */
class HttpChannelTest {
    private HttpServer server;
    private final AtomicReference<Headers> requestHeaders = new AtomicReference<>();
    private final AtomicReference<byte[]> requestBody = new AtomicReference<>();
    private final AtomicReference<String> requestPath = new AtomicReference<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Reply reply = new Reply(200, "answer".getBytes(), false, Optional.empty());

    private record Reply(int status, byte[] body, boolean gzip, Optional<String> retryAfter) {}

    /** Whether the server answers like a current API node: says it takes lz4 bodies and sends LZ4 answers. */
    private volatile boolean advertiseLz4;

    private volatile boolean lz4Answers;
    /** Whether the server answers 415 to LZ4 bodies (a node rolled back) while still advertising them. */
    private volatile boolean refuseLz4;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            requestPath.set(exchange.getRequestURI().getPath());
            requestHeaders.set(exchange.getRequestHeaders());
            requestBody.set(exchange.getRequestBody().readAllBytes());
            Reply current = reply;
            if (advertiseLz4) {
                exchange.getResponseHeaders().add("Accept-Encoding", "lz4, gzip");
            }
            if (refuseLz4 && "lz4".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                current = new Reply(415, "unsupported content encoding".getBytes(), false, Optional.empty());
            }
            byte[] body = current.gzip() ? Gzip.compress(current.body()) : current.body();
            if (current.gzip()) {
                exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            } else if (lz4Answers && body.length >= 2048) {
                body = Lz4Frames.compress(body);
                exchange.getResponseHeaders().add("Content-Encoding", "lz4");
            }
            current.retryAfter()
                    .ifPresent(value -> exchange.getResponseHeaders().add("Retry-After", value));
            exchange.sendResponseHeaders(current.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private HttpChannel channel(List<URI> urls, int gzipThreshold) {
        return new HttpChannel(new ChannelSettings(
                urls, () -> Optional.of("t0ken"), Duration.ofSeconds(5), Duration.ofSeconds(2), gzipThreshold));
    }

    @Test
    void postsTheCallWithItsHeadersAndReturnsTheAnswer() throws Exception {
        try (HttpChannel channel = channel(List.of(URI.create(url() + "/base/")), 1024)) {
            byte[] answer = channel.exchange("call".getBytes(), Duration.ZERO);

            assertThat(answer).isEqualTo("answer".getBytes());
            assertThat(requestPath.get()).isEqualTo("/base/v1/thrift");
            assertThat(requestBody.get()).isEqualTo("call".getBytes());
            Headers headers = requestHeaders.get();
            assertThat(headers.getFirst("Content-Type")).isEqualTo("application/vnd.apache.thrift.compact");
            assertThat(headers.getFirst("Accept-Encoding")).isEqualTo("lz4, gzip");
            assertThat(headers.getFirst("Authorization")).isEqualTo("Bearer t0ken");
            assertThat(headers.containsKey("Content-Encoding")).isFalse();
        }
    }

    @Test
    void largeBodiesAreGzippedBothWays() throws Exception {
        // given a threshold of 100 bytes and a 1000-byte call, answered with a gzip body
        byte[] call = "x".repeat(1000).getBytes();
        reply = new Reply(200, "y".repeat(5000).getBytes(), true, Optional.empty());
        try (HttpChannel channel = channel(List.of(url()), 100)) {
            // when it is exchanged
            byte[] answer = channel.exchange(call, Duration.ZERO);

            // then the request went compressed, and the answer came back decompressed
            assertThat(requestHeaders.get().getFirst("Content-Encoding")).isEqualTo("gzip");
            assertThat(requestBody.get().length).isLessThan(call.length);
            assertThat(Gzip.decompress(requestBody.get())).isEqualTo(call);
            assertThat(answer).isEqualTo("y".repeat(5000).getBytes());
        }
    }

    /** 5,000 bytes that gzip shrinks by about 15%: more than the tenth that once counted as paying, less than a fifth. */
    private static byte[] barelyCompressible() throws IOException {
        byte[] bytes = new byte[5000];
        new java.util.Random(7).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 4250, bytes.length, (byte) 'z');
        assertThat(Gzip.compress(bytes).length).isBetween(bytes.length * 82 / 100, bytes.length * 88 / 100);
        return bytes;
    }

    @Test
    void aGzipBodyThatSavesLessThanAFifthGoesAsItIsAndTheNextOnesAreNotTried() throws Exception {
        // given an older node (no lz4) and a call that gzip shrinks by about 15%
        byte[] call = barelyCompressible();
        byte[] compressible = "x".repeat(5000).getBytes();
        try (HttpChannel channel = channel(List.of(url()), 100)) {
            // when it is exchanged, and then a compressible one
            channel.exchange(call, Duration.ZERO);
            Headers first = requestHeaders.get();
            byte[] firstBody = requestBody.get();
            channel.exchange(compressible, Duration.ZERO);

            // then both went as they are: the first did not pay, and the next ones are not even tried
            assertThat(first.containsKey("Content-Encoding")).isFalse();
            assertThat(firstBody).isEqualTo(call);
            assertThat(requestHeaders.get().containsKey("Content-Encoding")).isFalse();
            assertThat(requestBody.get()).isEqualTo(compressible);
        }
    }

    @Test
    void gzippedAnswersThatSaveLessThanAFifthAreNoLongerAskedFor() throws Exception {
        // given an older node (no lz4) that gzips its answers, which shrink by about 15%
        byte[] body = barelyCompressible();
        reply = new Reply(200, body, true, Optional.empty());
        try (HttpChannel channel = channel(List.of(url()), 64 * 1024)) {
            // when a first answer comes back gzipped
            assertThat(channel.exchange("call".getBytes(), Duration.ZERO)).isEqualTo(body);
            assertThat(requestHeaders.get().getFirst("Accept-Encoding")).isEqualTo("lz4, gzip");

            // then the next call no longer asks for gzip
            channel.exchange("call".getBytes(), Duration.ZERO);
            assertThat(requestHeaders.get().getFirst("Accept-Encoding")).isEqualTo("lz4");
        }
    }

    @Test
    void aNodeThatTakesLz4GetsLz4BodiesAndNoGzip() throws Exception {
        // given a node whose answers say it takes lz4 and that compresses large answers with it
        advertiseLz4 = true;
        lz4Answers = true;
        reply = new Reply(200, "y".repeat(5000).getBytes(), false, Optional.empty());
        byte[] call = "x".repeat(5000).getBytes();
        try (HttpChannel channel = channel(List.of(url()), 100)) {
            // when a first call teaches the channel, and a second goes out
            assertThat(channel.exchange("small".getBytes(), Duration.ZERO))
                    .isEqualTo("y".repeat(5000).getBytes());
            byte[] answer = channel.exchange(call, Duration.ZERO);

            // then the second went LZ4-compressed, asked for lz4 answers only, and the LZ4 answer was decoded
            Headers headers = requestHeaders.get();
            assertThat(headers.getFirst("Content-Encoding")).isEqualTo("lz4");
            assertThat(headers.getFirst("Accept-Encoding")).isEqualTo("lz4");
            assertThat(Lz4Frames.decompress(requestBody.get(), 1 << 20)).isEqualTo(call);
            assertThat(answer).isEqualTo("y".repeat(5000).getBytes());
        }
    }

    @Test
    void anLz4BodyRefusedWith415IsSentAgainUncompressed() throws Exception {
        // given a node that said it takes lz4, then was rolled back to a version that does not
        advertiseLz4 = true;
        byte[] call = "x".repeat(5000).getBytes();
        try (HttpChannel channel = channel(List.of(url()), 64 * 1024)) {
            channel.exchange("small".getBytes(), Duration.ZERO);
            refuseLz4 = true;
            advertiseLz4 = false;

            // when a large call goes out
            byte[] answer = channel.exchange(call, Duration.ZERO);

            // then it was sent twice, the second time as it is, and answered
            assertThat(answer).isEqualTo("answer".getBytes());
            assertThat(requests.get()).isEqualTo(3);
            assertThat(requestHeaders.get().containsKey("Content-Encoding")).isFalse();
            assertThat(requestBody.get()).isEqualTo(call);
        }
    }

    @Test
    void clientErrorsCarryTheServersText() {
        try (HttpChannel channel = channel(List.of(url()), 1024)) {
            reply = new Reply(
                    400,
                    "invalid request: not a Thrift call".getBytes(StandardCharsets.UTF_8),
                    false,
                    Optional.empty());
            assertThatThrownBy(() -> channel.exchange("call".getBytes(), Duration.ZERO))
                    .isInstanceOfSatisfying(
                            SwitchboardException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessage("invalid request: not a Thrift call");

            reply = new Reply(401, "token expired".getBytes(), true, Optional.empty());
            assertThatThrownBy(() -> channel.exchange("call".getBytes(), Duration.ZERO))
                    .isInstanceOfSatisfying(
                            SwitchboardException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                    .hasMessage("token expired");

            reply = new Reply(429, new byte[0], false, Optional.of("2"));
            assertThatThrownBy(() -> channel.exchange("call".getBytes(), Duration.ZERO))
                    .isInstanceOfSatisfying(SwitchboardException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
                        assertThat(e.retryAfterMs()).hasValue(2000);
                    });
        }
    }

    @Test
    void serverErrorsAreTransient() {
        reply = new Reply(503, "overloaded".getBytes(), false, Optional.empty());
        try (HttpChannel channel = channel(List.of(url()), 1024)) {
            assertThatThrownBy(() -> channel.exchange("call".getBytes(), Duration.ZERO))
                    .isInstanceOf(TransientFailure.class)
                    .hasMessageContaining("HTTP 503");
        }
    }

    @Test
    void aUrlThatRefusesConnectionsIsSkipped() throws Exception {
        // given a first URL nobody listens on
        URI dead = URI.create("http://127.0.0.1:" + freePort());
        try (HttpChannel channel = channel(List.of(dead, url()), 1024)) {
            // when exchanging twice, then both go to the live URL
            assertThat(channel.exchange("one".getBytes(), Duration.ZERO)).isEqualTo("answer".getBytes());
            assertThat(channel.exchange("two".getBytes(), Duration.ZERO)).isEqualTo("answer".getBytes());
            assertThat(requests).hasValue(2);
        }
        try (HttpChannel channel = channel(List.of(dead), 1024)) {
            assertThatThrownBy(() -> channel.exchange("call".getBytes(), Duration.ZERO))
                    .isInstanceOf(TransientFailure.class)
                    .hasMessageContaining("cannot connect");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
