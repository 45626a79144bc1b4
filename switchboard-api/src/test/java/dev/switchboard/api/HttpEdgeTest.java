package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.compress.Lz4Frames;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP edge: gzip and LZ4 both ways, bodies that are not a Thrift call, sizes, methods, paths. */
class HttpEdgeTest {
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private static LocalSwitch sw;
    private static Switch.Attachment attachment;
    private static ApiServer server;
    private static ThriftOverHttp client;

    @BeforeAll
    static void startServer() {
        sw = new LocalSwitch();
        attachment = sw.attach(new TestBackend());
        server = ApiServer.start(ApiConfig.defaults().withPort(0).withMaxRequestBytes(MAX_REQUEST_BYTES), sw);
        client = new ThriftOverHttp(server.uri());
    }

    @AfterAll
    static void stopServer() {
        server.close();
        attachment.close();
        sw.close();
    }

    @AfterEach
    void serverStaysLive() {
        assertThat(client.get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void gzipRequestIsAcceptedAndBigResponseIsGzippedWhenAsked() throws Exception {
        // Given a gzipped read call whose answer is well over the gzip threshold
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        ReadRequest request = new ReadRequest(TestBackend.SESSION, 1).setMaxEvents(100);
        byte[] body = gzip(codec.encode(c -> c.send_read(request)));

        // When
        HttpResponse<byte[]> response = client.post(body, "Content-Encoding", "gzip", "Accept-Encoding", "gzip");

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(response.headers().firstValue("content-type")).hasValue(ThriftOverHttp.CONTENT_TYPE);
        ReadResponse read = codec.decode(gunzip(response.body()), Switchboard.Client::recv_read);
        assertThat(read.getEvents()).hasSize(100);
    }

    @Test
    void lz4RequestIsAcceptedAndBigResponseIsLz4WhenAsked() throws Exception {
        // Given an LZ4-compressed read call whose answer is well over the LZ4 threshold
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        ReadRequest request = new ReadRequest(TestBackend.SESSION, 1).setMaxEvents(200);
        byte[] body = Lz4Frames.compress(codec.encode(c -> c.send_read(request)));
        long requests = server.counters().lz4Requests();
        long replies = server.counters().lz4Replies();

        // When asking for lz4 or gzip (a current SDK before it knows the node)
        HttpResponse<byte[]> response = client.post(body, "Content-Encoding", "lz4", "Accept-Encoding", "lz4, gzip");

        // Then the answer is LZ4 only (not gzipped on top), and says the node takes lz4 bodies
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().allValues("content-encoding")).containsExactly("lz4");
        assertThat(response.headers().firstValue("accept-encoding")).hasValue("lz4, gzip");
        ReadResponse read = codec.decode(Lz4Frames.decompress(response.body(), 1 << 20), Switchboard.Client::recv_read);
        assertThat(read.getEvents()).hasSize(200);
        assertThat(server.counters().lz4Requests()).isEqualTo(requests + 1);
        assertThat(server.counters().lz4Replies()).isEqualTo(replies + 1);
    }

    @Test
    void aClientThatDoesNotAskForLz4GetsNoLz4() throws Exception {
        // an SDK or HTTP client from before LZ4: gzip only, or nothing
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        ReadRequest request = new ReadRequest(TestBackend.SESSION, 1).setMaxEvents(200);
        byte[] body = codec.encode(c -> c.send_read(request));

        HttpResponse<byte[]> gzipped = client.post(body, "Accept-Encoding", "gzip");
        HttpResponse<byte[]> plain = client.post(body);

        assertThat(gzipped.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(codec.decode(gunzip(gzipped.body()), Switchboard.Client::recv_read)
                        .getEvents())
                .hasSize(200);
        assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
        assertThat(codec.decode(plain.body(), Switchboard.Client::recv_read).getEvents())
                .hasSize(200);
    }

    @Test
    void smallResponsesAreNotCompressed() throws Exception {
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        ReadRequest request = new ReadRequest(TestBackend.SESSION, 1).setMaxEvents(2);

        HttpResponse<byte[]> response = client.post(codec.encode(c -> c.send_read(request)), "Accept-Encoding", "lz4");

        assertThat(response.headers().firstValue("content-encoding")).isEmpty();
        assertThat(codec.decode(response.body(), Switchboard.Client::recv_read).getEvents())
                .hasSize(2);
    }

    @Test
    void badLz4IsBadRequest() {
        assertInvalid(client.post("certainly not an LZ4 frame".getBytes(), "Content-Encoding", "lz4"));
    }

    @Test
    void anLz4BodyThatDecompressesPastTheLimitIsTooLarge() {
        byte[] bomb = Lz4Frames.compress(new byte[MAX_REQUEST_BYTES * 4]);

        HttpResponse<byte[]> response = client.post(bomb, "Content-Encoding", "lz4");

        assertThat(bomb.length).isLessThan(MAX_REQUEST_BYTES);
        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void bigResponseIsNotGzippedUnlessAsked() throws Exception {
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        ReadRequest request = new ReadRequest(TestBackend.SESSION, 1).setMaxEvents(100);

        HttpResponse<byte[]> response = client.post(codec.encode(c -> c.send_read(request)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-encoding")).isEmpty();
        assertThat(codec.decode(response.body(), Switchboard.Client::recv_read).getEvents())
                .hasSize(100);
    }

    @Test
    void randomBytesAreBadRequest() {
        byte[] garbage = new byte[512];
        new Random(42).nextBytes(garbage);

        assertInvalid(client.post(garbage));
    }

    @Test
    void garbageAfterTheCompactProtocolIdIsBadRequest() {
        byte[] garbage = new byte[512];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0x82;

        assertInvalid(client.post(garbage));
    }

    @Test
    void truncatedCallIsBadRequest() throws Exception {
        // Given a valid call cut short
        byte[] call = new ThriftOverHttp.Codec().encode(c -> c.send_read(new ReadRequest(TestBackend.SESSION, 1)));
        byte[] truncated = Arrays.copyOf(call, call.length - 5);

        // When
        HttpResponse<byte[]> response = client.post(truncated);

        // Then
        assertInvalid(response);
        assertThat(text(response)).isEqualTo("invalid request: truncated Thrift message");
    }

    @Test
    void trailingBytesAfterTheCallAreBadRequest() throws Exception {
        byte[] call = new ThriftOverHttp.Codec().encode(c -> c.send_read(new ReadRequest(TestBackend.SESSION, 1)));

        assertInvalid(client.post(Arrays.copyOf(call, call.length + 3)));
    }

    @Test
    void emptyBodyIsBadRequest() {
        HttpResponse<byte[]> response = client.post(new byte[0]);

        assertInvalid(response);
        assertThat(text(response)).isEqualTo("invalid request: empty body");
    }

    @Test
    void badGzipIsBadRequest() {
        byte[] notGzip = "certainly not gzip data".getBytes();

        assertInvalid(client.post(notGzip, "Content-Encoding", "gzip"));
    }

    @Test
    void unknownContentEncodingIsUnsupported() {
        HttpResponse<byte[]> response = client.post(new byte[] {1, 2, 3}, "Content-Encoding", "br");

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void oversizedBodyIsTooLarge() {
        HttpResponse<byte[]> response = client.post(new byte[MAX_REQUEST_BYTES + 1]);

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void bodyThatInflatesPastTheLimitIsTooLarge() throws Exception {
        // Given a small gzip body that inflates to more than the limit (a zip bomb in miniature)
        byte[] bomb = gzip(new byte[MAX_REQUEST_BYTES * 4]);

        HttpResponse<byte[]> response = client.post(bomb, "Content-Encoding", "gzip");

        assertThat(bomb.length).isLessThan(MAX_REQUEST_BYTES);
        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void otherMethodsOnTheThriftPathAreNotAllowed() {
        HttpResponse<String> get = client.get("/v1/thrift");
        HttpResponse<String> put = client.method("PUT", "/v1/thrift");

        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void unknownPathIsNotFound() {
        HttpResponse<String> response = client.get("/v2/nothing-here");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("not found");
    }

    private static void assertInvalid(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(text(response)).startsWith("invalid request: ").doesNotContain("Exception", "\tat ");
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }
}
