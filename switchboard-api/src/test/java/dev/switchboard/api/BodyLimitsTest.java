package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.tcp.TcpFrames;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies cannot make an API node hold memory a client chooses: no buffer of an announced size, a small limit
 * without request MAC headers, a node-wide budget of body bytes, and slow senders cut off. Raw sockets, so the
 * test can announce what it never sends.
 */
class BodyLimitsTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    /** Bytes a trickling client sends, one every 500 ms: 30 s, far past the header timeouts the tests set. */
    private static final int TRICKLED_BYTES = 60;

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

    private final LocalSwitch sw = new LocalSwitch();
    private final Switch.Attachment attachment = sw.attach(new TestBackend());
    private ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        attachment.close();
        sw.close();
    }

    private ApiServer start(ApiLimits limits, ApiSecurity security) {
        server = ApiServer.start(
                ApiConfig.defaults()
                        .withPort(0)
                        .withMaxRequestBytes(MAX_REQUEST_BYTES)
                        .withRequestTimeout(Duration.ofSeconds(3))
                        .withLimits(limits),
                sw,
                () -> true,
                security);
        return server;
    }

    private static ApiSecurity macsOnly() {
        return new ApiSecurity(Optional.empty(), Optional.of(SECRET));
    }

    @Test
    void headersAnnouncingSixteenMebibytesWithoutMacHeadersAreRefusedBeforeAnyBodyIsRead() throws Exception {
        start(ApiLimits.defaults(), macsOnly());
        try (Socket socket = connect()) {
            // When only the headers arrive, announcing the largest allowed body
            send(socket, headers(MAX_REQUEST_BYTES, ""));

            // Then the answer comes without the body: the small limit applies to unsigned requests
            String answer = readAnswer(socket);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("without request MAC headers");
        }
        assertThat(server.counters().unauthenticatedBodiesTooLarge()).isEqualTo(1);
        assertThat(server.counters().bodyBytesInFlight()).isZero();
    }

    @Test
    void aSignedLookingRequestGetsItsBufferAsTheBytesArriveNotAsAnnounced() throws Exception {
        start(ApiLimits.defaults(), macsOnly());
        try (Socket socket = connect()) {
            // Given MAC headers of the right shape and a 16 MiB announcement, of which 1 KiB arrives
            send(socket, headers(MAX_REQUEST_BYTES, signedLooking()));
            send(socket, new byte[1024]);

            // Then the node holds one first buffer, not 16 MiB
            await().atMost(Duration.ofSeconds(10)).until(() -> server.counters().bodyBytesInFlight() > 0);
            assertThat(server.counters().bodyBytesInFlight()).isLessThanOrEqualTo(64 * 1024);
        }
        // And gives it back once the client is gone
        await().atMost(Duration.ofSeconds(10)).until(() -> server.counters().bodyBytesInFlight() == 0);
    }

    @Test
    void whenTheBodyBudgetIsSpentARequestIsAnsweredBusyWithRetryAfterAndTheBudgetComesBack() throws Exception {
        start(ApiLimits.defaults().withMaxBodyBytesInFlight(200 * 1024), ApiSecurity.none());
        try (Socket holder = connect();
                Socket second = connect()) {
            // Given one request holding 100 KiB of the 200 KiB budget (70 KiB of its body sent)
            send(holder, headers(100 * 1024, ""));
            send(holder, new byte[70 * 1024]);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.counters().bodyBytesInFlight() == 100 * 1024);

            // When a second one needs more than what is left
            send(second, headers(150 * 1024, ""));
            send(second, new byte[150 * 1024]);

            // Then it is answered 429 with Retry-After (the SDK's BUSY)
            String answer = readAnswer(second);
            assertThat(answer).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 1");
            assertThat(server.counters().bodiesRefusedBusy()).isEqualTo(1);

            // And the first, once complete, is answered as usual (random bytes: 400) and its bytes given back
            send(holder, new byte[30 * 1024]);
            assertThat(readAnswer(holder)).startsWith("HTTP/1.1 400");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.counters().bodyBytesInFlight() == 0);
    }

    @Test
    void aBodyTrickledSlowerThanTheMinimumRateIsCutOff() throws Exception {
        start(ApiLimits.defaults().withMinRequestDataRate(1024), ApiSecurity.none());
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (Socket socket = connect()) {
            // Given a client announcing 100 KiB and sending 10 bytes every 100 ms (100 bytes/s)
            send(socket, headers(100 * 1024, ""));
            trickle.scheduleAtFixedRate(
                    () -> {
                        try {
                            send(socket, new byte[10]);
                        } catch (IOException e) {
                            throw new IllegalStateException(e); // stops the trickle once the node hangs up
                        }
                    },
                    0,
                    100,
                    TimeUnit.MILLISECONDS);

            // Then the node answers 408 after its second of grace
            assertThat(readAnswer(socket)).startsWith("HTTP/1.1 408");
        } finally {
            trickle.shutdownNow();
        }
        assertThat(server.counters().slowBodiesCutOff()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.counters().bodyBytesInFlight() == 0);
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosedAfterTheIdleTimeout() throws Exception {
        start(ApiLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)), ApiSecurity.none());
        try (Socket socket = connect()) {
            // Given half a request head, then silence
            send(socket, "POST /v1/thrift HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));

            // Then the node hangs up on its own (read returns end of stream, or the answer Jetty gives first)
            socket.setSoTimeout(10_000);
            readAnswer(socket);
        }
    }

    @Test
    void aHeadTrickledAByteWithinEveryIdleTimeoutIsClosedAfterTheHeaderTimeout() throws Exception {
        // Given an idle timeout of 1 s and a header timeout of 2 s
        start(
                ApiLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)).withHeaderTimeout(Duration.ofSeconds(2)),
                ApiSecurity.none());
        byte[] head = ("POST /v1/thrift HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(TRICKLED_BYTES))
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = connect()) {
            // When a client sends its head one byte every half idle timeout (never silent for an idle timeout)
            int sent = trickleUntilClosed(socket, head);

            // Then the node hangs up before the trickle is over (without header-timeout: never, while it lasts)
            assertThat(sent).isLessThan(TRICKLED_BYTES);
            assertThat(server.counters().slowHeadsCutOff()).isEqualTo(1);
        }
    }

    @Test
    void aTcpFrameHeadTrickledAByteWithinEveryIdleTimeoutIsClosedAfterTheHeaderTimeout() throws Exception {
        // Given the binary TCP port, an idle timeout of 1 s and a header timeout of 2 s
        server = ApiServer.start(
                ApiConfig.defaults()
                        .withPort(0)
                        .withTcpPort(0)
                        .withMaxRequestBytes(MAX_REQUEST_BYTES)
                        .withRequestTimeout(Duration.ofSeconds(3))
                        .withLimits(ApiLimits.defaults()
                                .withIdleTimeout(Duration.ofSeconds(1))
                                .withHeaderTimeout(Duration.ofSeconds(2))),
                sw,
                () -> true,
                ApiSecurity.none());
        // a call frame whose header section holds one header with a 1,000-byte value
        ByteBuffer frame = ByteBuffer.allocate(4 + 4 + 5 + 5 + 1000);
        frame.put(TcpFrames.PREAMBLE)
                .putInt(TcpFrames.FRAME_HEADER_BYTES + 5 + 1000)
                .put(TcpFrames.CALL)
                .putInt(1);
        frame.put((byte) 1).put((byte) 1).put((byte) 'a').putShort((short) 1000);
        frame.put("a".repeat(1000).getBytes(StandardCharsets.US_ASCII));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.tcpPort().getAsInt()), 5_000);
            socket.setSoTimeout(30_000);
            // When a client sends the preamble, then its frame's head one byte every half idle timeout
            send(socket, TcpFrames.PREAMBLE);
            int sent = trickleUntilClosed(socket, Arrays.copyOfRange(frame.array(), 4, frame.capacity()));

            // Then the node hangs up before the trickle is over (without header-timeout: never, while it lasts)
            assertThat(sent).isLessThan(TRICKLED_BYTES);
            assertThat(server.counters().slowHeadsCutOff()).isEqualTo(1);
        }
    }

    /**
     * Sends the first {@link #TRICKLED_BYTES} of {@code bytes} one every 500 ms from another thread and reads until
     * the node closes the connection; returns how many bytes had been sent by then.
     */
    private static int trickleUntilClosed(Socket socket, byte[] bytes) throws Exception {
        socket.setTcpNoDelay(true);
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean closed = new AtomicBoolean();
        Thread trickler = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < TRICKLED_BYTES && !closed.get(); i++) {
                    out.write(bytes[i]);
                    out.flush();
                    sent.incrementAndGet();
                    Thread.sleep(500);
                }
            } catch (IOException | InterruptedException e) {
                // the node closed the connection under the write
            }
        });
        try {
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // whatever the node answers before it closes
            }
        } catch (IOException e) {
            // reset by the node: closed as well
        }
        int atClose = sent.get();
        closed.set(true);
        trickler.join();
        return atClose;
    }

    @Test
    void aCallWaitingOnTheBackendLongerThanTheIdleTimeoutKeepsItsConnection() throws Exception {
        // Given an idle timeout of 1 s, and a commit the backend never answers (deadline 3 s)
        start(ApiLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)), ApiSecurity.none());
        ThriftOverHttp client = new ThriftOverHttp(server.uri());

        // When, Then: the answer is the deadline's UNAVAILABLE, not a connection closed under a waiting call
        Assertions.assertThatThrownBy(
                        () -> client.commit(new CommitRequest(TestBackend.SESSION, TestBackend.NEVER_ANSWERED_SEQ)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void pastMaxConnectionsANewConnectionWaitsUntilAnotherCloses() throws Exception {
        // Given a node that accepts two connections, both held open by idle clients
        start(ApiLimits.defaults().withMaxConnections(2), ApiSecurity.none());
        Socket first = connect();
        try (Socket second = connect();
                Socket third = connect()) {
            send(first, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAnswer(first)).startsWith("HTTP/1.1 200"); // both are accepted and served
            send(second, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAnswer(second)).startsWith("HTTP/1.1 200");

            // When a third asks, it waits in the kernel's backlog: no answer while the two stay open
            send(third, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            third.setSoTimeout(1_000);
            Assertions.assertThatThrownBy(() -> third.getInputStream().read())
                    .isInstanceOf(java.net.SocketTimeoutException.class);

            // Then once one closes, the node accepts it and answers
            first.close();
            third.setSoTimeout(30_000);
            assertThat(readAnswer(third)).startsWith("HTTP/1.1 200");
        } finally {
            first.close();
        }
    }

    private static String signedLooking() {
        return RequestMac.MAC_HEADER + ": " + "A".repeat(43) + "\r\n" + RequestMac.TIMESTAMP_HEADER + ": "
                + System.currentTimeMillis() + "\r\n" + RequestMac.NONCE_HEADER + ": " + RequestMac.nonce() + "\r\n";
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] headers(long contentLength, String extra) {
        return ("POST /v1/thrift HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + ThriftOverHttp.CONTENT_TYPE
                        + "\r\nContent-Length: " + contentLength + "\r\n" + extra + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void send(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** What the node sent until it closed the connection or its whole answer (head and body) was in. */
    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int bodyEnd = -1;
        int b;
        while ((b = in.read()) != -1) {
            seen.write(b);
            String text = seen.toString(StandardCharsets.US_ASCII);
            if (bodyEnd < 0 && text.endsWith("\r\n\r\n")) {
                Matcher length = CONTENT_LENGTH.matcher(text);
                bodyEnd = text.length() + (length.find() ? Integer.parseInt(length.group(1)) : 0);
            }
            if (bodyEnd >= 0 && text.length() >= bodyEnd) {
                break;
            }
        }
        return seen.toString(StandardCharsets.US_ASCII);
    }
}
