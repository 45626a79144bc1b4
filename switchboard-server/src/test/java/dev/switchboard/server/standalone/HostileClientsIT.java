package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile clients against a real standalone node (embedded Kafka, the API with its default limits, tokens and
 * MACs on), while a well-behaved client on the same node publishes and reads back 10,000 events. After each
 * attack the JVM's heap after a full GC (node and test share it) must stay under {@link #HEAP_BOUND_BYTES}.
 * Loops are bounded in count; only loopback. Figures: docs/reliability.md, "Hostile clients".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientsIT {
    /**
     * Node, embedded Kafka and test in one JVM, including the 256 MiB of uncommitted writes the node may hold
     * (max-staged-bytes) once the hoarding writers have filled it: within a 1 GiB heap.
     */
    static final long HEAP_BOUND_BYTES = 768L << 20;

    @TempDir
    static Path dataDir;

    private static Standalone standalone;
    private static CompletableFuture<Integer> wellBehaved;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(dataDir, 0);
        wellBehaved = CompletableFuture.supplyAsync(HostileClientsIT::publishAndReadBack10000);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            // The well-behaved client was served throughout
            assertThat(wellBehaved.get(3, TimeUnit.MINUTES)).isEqualTo(10_000);
            report("after all attacks");
        } finally {
            standalone.close();
        }
    }

    private static String token(String subject) throws Exception {
        return DevIssuer.load(dataDir)
                .mint(subject, List.of("switchboard:read:*", "switchboard:write:*"), Duration.ofMinutes(10));
    }

    private static int publishAndReadBack10000() {
        try (SwitchboardClient client = SwitchboardClient.builder()
                .url(standalone.uri())
                .token(token("good-client"))
                .build()) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                events.add(Event.of("event-" + i));
            }
            try (Publisher publisher = client.publisher(
                    PublisherOptions.builder().topic("good").chunkEvents(500).build())) {
                publisher.publish(events);
            }
            int read = 0;
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of("good"))) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (read < 10_000 && System.nanoTime() < deadline) {
                    Batch batch = subscriber.poll(1000, Duration.ofSeconds(1));
                    read += batch.events().size();
                    subscriber.ack(batch);
                }
            }
            return read;
        } catch (Exception e) {
            throw new IllegalStateException("the well-behaved client failed", e);
        }
    }

    @Test
    @Order(1)
    void slowLorisConnectionsHoldNoBuffers() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket socket = connect();
                send(socket, "POST /v1/thrift HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                sockets.add(socket);
            }
            assertServedAndBounded("300 slow-loris connections open");
        } finally {
            closeAll(sockets);
        }
    }

    @Test
    @Order(2)
    void headerOnlyRequestsAnnouncingSixteenMebibytesAreRefusedOrHeldSmall() throws Exception {
        // Unsigned: 413 at once, nothing buffered
        for (int i = 0; i < 500; i++) {
            try (Socket socket = connect()) {
                send(socket, head(16 << 20, ""));
                assertThat(statusLine(socket)).startsWith("HTTP/1.1 413");
            }
        }
        // Signed-looking, 1 KiB sent of 9 MiB announced, then silence: each holds one first buffer at most
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = connect();
                String mac = RequestMac.MAC_HEADER + ": " + "A".repeat(43) + "\r\n" + RequestMac.TIMESTAMP_HEADER
                        + ": " + System.currentTimeMillis() + "\r\n" + RequestMac.NONCE_HEADER + ": "
                        + RequestMac.nonce() + "\r\n";
                send(socket, head(9 << 20, mac));
                send(socket, new byte[1024]);
                sockets.add(socket);
            }
            assertThat(standalone.apiCounters().bodyBytesInFlight()).isLessThanOrEqualTo(200L * 64 * 1024);
            assertServedAndBounded("200 stalled signed bodies announcing 9 MiB");
        } finally {
            closeAll(sockets);
        }
    }

    @Test
    @Order(3)
    void randomAndTruncatedBodiesAreBadRequests() {
        ThriftOverHttp http = new ThriftOverHttp(standalone.uri());
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            byte[] body = new byte[1 + random.nextInt(4096)];
            random.nextBytes(body);
            if (i % 2 == 0) {
                body[0] = (byte) 0x82; // looks like a compact-protocol call, then garbage or cut short
            }
            HttpResponse<byte[]> response = http.post(body);
            assertThat(response.statusCode()).isIn(400, 413);
        }
        assertServedAndBounded("1,000 random and truncated bodies");
    }

    @Test
    @Order(4)
    void aNonceFloodIsRefusedWithoutBeingRemembered() throws Exception {
        ThriftOverHttp mallory = ThriftOverHttp.authorised(standalone.uri(), token("mallory-nonces"));
        mallory.allocate(new AllocateRequest("flood", SessionMode.WRITE)); // creates the topic: readers never do
        AllocateResponse session =
                mallory.allocate(new AllocateRequest("flood", SessionMode.READ).setStartFrom(StartFrom.LATEST));
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        byte[] body = codec.encode(c -> c.send_read(new ReadRequest(session.getSessionId(), 1).setMaxWaitMs(0)));
        for (int i = 0; i < 2000; i++) {
            // a fresh nonce every time, but a MAC made with the wrong key
            long now = System.currentTimeMillis();
            String nonce = RequestMac.nonce();
            HttpResponse<byte[]> response = mallory.post(
                    body,
                    RequestMac.TIMESTAMP_HEADER,
                    Long.toString(now),
                    RequestMac.NONCE_HEADER,
                    nonce,
                    RequestMac.MAC_HEADER,
                    RequestMac.sign(new byte[32], session.getSessionId(), now, nonce, body));
            assertThat(response.statusCode()).isEqualTo(200); // a Thrift UNAUTHENTICATED answer
        }
        assertServedAndBounded("2,000 forged-MAC calls with fresh nonces");
    }

    @Test
    @Order(5)
    void aThousandSessionsFromOnePrincipalStopAtItsLimit() throws Exception {
        ThriftOverHttp mallory = ThriftOverHttp.authorised(standalone.uri(), token("mallory-sessions"));
        int allocated = 0;
        int busy = 0;
        for (int i = 0; i < 1000; i++) {
            try {
                mallory.allocate(new AllocateRequest("sessions", SessionMode.WRITE));
                allocated++;
            } catch (SwitchboardError e) {
                assertThat(e.getCode()).isEqualTo(ErrorCode.BUSY);
                assertThat(e.getRetryAfterMs()).isPositive();
                busy++;
            }
        }
        assertThat(allocated).isEqualTo(512);
        assertThat(busy).isEqualTo(488);
        assertThat(standalone.backendCounters().sessionsRefusedPrincipalFull()).isEqualTo(488);
        assertServedAndBounded("1,000 allocations from one principal");
    }

    @Test
    @Order(6)
    void readersThatNeverAckAndWritersThatNeverCommitHoldBoundedMemory() throws Exception {
        ThriftOverHttp mallory = ThriftOverHttp.authorised(standalone.uri(), token("mallory-hoarder"));
        // Readers: read once, never ack
        for (int i = 0; i < 20; i++) {
            AllocateResponse reader =
                    mallory.allocate(new AllocateRequest("good", SessionMode.READ).setStartFrom(StartFrom.EARLIEST));
            mallory.read(new ReadRequest(reader.getSessionId(), 1).setMaxWaitMs(0));
        }
        // Writers: fill their windows with 1 MiB chunks, never commit (budget: max-staged-bytes 256 MiB)
        byte[] mebibyte = new byte[(1 << 20) - 4096]; // just under max-event-bytes with its envelope
        int refused = 0;
        for (int w = 0; w < 24 && refused == 0; w++) {
            AllocateResponse writer = mallory.allocate(new AllocateRequest("hoard", SessionMode.WRITE));
            for (long seq = 1; seq <= 16; seq++) {
                dev.switchboard.protocol.thrift.Event event =
                        new dev.switchboard.protocol.thrift.Event().setPayload(ByteBuffer.wrap(mebibyte));
                try {
                    mallory.write(new WriteRequest(writer.getSessionId(), seq, List.of(event)));
                } catch (SwitchboardError e) {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.BUSY);
                    refused++;
                    break;
                }
            }
        }
        assertThat(refused).isPositive();
        assertThat(standalone.backendCounters().stagedBytes()).isLessThanOrEqualTo(256L << 20);
        assertServedAndBounded("20 readers never acking, writers staging up to max-staged-bytes");
    }

    @Test
    @Order(7)
    void oversizedEventsAndBodiesAreRefused() throws Exception {
        ThriftOverHttp mallory = ThriftOverHttp.authorised(standalone.uri(), token("mallory-big"));
        AllocateResponse writer = mallory.allocate(new AllocateRequest("big", SessionMode.WRITE));
        dev.switchboard.protocol.thrift.Event twoMiB =
                new dev.switchboard.protocol.thrift.Event().setPayload(ByteBuffer.wrap(new byte[2 << 20]));
        try {
            mallory.write(new WriteRequest(writer.getSessionId(), 1, List.of(twoMiB)));
            throw new AssertionError("a 2 MiB event was accepted");
        } catch (SwitchboardError e) {
            assertThat(e.getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        }
        try (Socket socket = connect()) {
            String mac = RequestMac.MAC_HEADER + ": " + "A".repeat(43) + "\r\n" + RequestMac.TIMESTAMP_HEADER + ": "
                    + System.currentTimeMillis() + "\r\n" + RequestMac.NONCE_HEADER + ": " + RequestMac.nonce()
                    + "\r\n";
            send(socket, head(20 << 20, mac)); // over twice max-request-bytes: refused without reading
            assertThat(statusLine(socket)).startsWith("HTTP/1.1 413");
        }
        assertServedAndBounded("oversized event and body");
    }

    /** The node still answers, and the heap after a full GC is under the bound. */
    private static void assertServedAndBounded(String after) {
        assertThat(new ThriftOverHttp(standalone.uri()).get("/health/ready").statusCode())
                .isEqualTo(200);
        long heap = report(after);
        assertThat(heap).as("heap after GC, %s", after).isLessThan(HEAP_BOUND_BYTES);
    }

    private static long report(String after) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
                "hostile-clients: %s: heap after GC %d MiB, RSS %s, API body bytes in flight %d, staged bytes %d%n",
                after,
                heap >> 20,
                rss(),
                standalone.apiCounters().bodyBytesInFlight(),
                standalone.backendCounters().stagedBytes());
        return heap;
    }

    private static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> line.substring(6).strip())
                    .findFirst()
                    .orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", standalone.uri().getPort()), 5_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] head(long contentLength, String extra) {
        return ("POST /v1/thrift HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + ThriftOverHttp.CONTENT_TYPE
                        + "\r\nContent-Length: " + contentLength + "\r\n" + extra + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void send(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.append((char) b);
        }
        return line.toString();
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
