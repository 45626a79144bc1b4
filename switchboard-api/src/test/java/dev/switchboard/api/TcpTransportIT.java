package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.compress.Lz4Frames;
import dev.switchboard.protocol.tcp.TcpFrames;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API's binary TCP port over real sockets, with tokens and request MACs on: calls answered like
 * {@code /v1/thrift} answers them, pipelined and matched by request id, and every kind of frame that breaks the
 * rules answered with a GOAWAY that says which rule, then a closed connection.
 */
class TcpTransportIT {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "switchboard";
    private static final byte[] SECRET = "tcp-transport-test-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_REQUEST_BYTES = 256 * 1024;
    private static final int MAX_UNAUTHENTICATED = 4 * 1024;

    private static RSAKey key;
    private static LocalSwitch sw;
    private static Switch.Attachment attachment;
    private static ApiServer server;

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        sw = new LocalSwitch();
        attachment = sw.attach(new TestBackend());
        server = ApiServer.start(
                ApiConfig.defaults()
                        .withPort(0)
                        .withMaxRequestBytes(MAX_REQUEST_BYTES)
                        .withLimits(ApiLimits.defaults().withMaxUnauthenticatedRequestBytes(MAX_UNAUTHENTICATED))
                        .withTcpPort(0),
                sw,
                () -> true,
                ApiSecurity.of(
                        OAuthConfig.fixedKeys(ISSUER, AUDIENCE, new JWKSet(key.toPublicJWK()).toString()), SECRET));
    }

    @AfterAll
    static void stop() {
        server.close();
        attachment.close();
        sw.close();
    }

    private static String token(String... scopes) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("scope", String.join(" ", scopes))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** A frame as read off the socket. */
    private record Frame(byte kind, int id, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** A raw client: writes whatever bytes a test wants, reads frames back. */
    private static final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        Raw(boolean preamble) throws IOException {
            socket = new Socket("127.0.0.1", server.tcpPort().getAsInt());
            socket.setSoTimeout(20_000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            if (preamble) {
                out.write(TcpFrames.PREAMBLE);
            }
        }

        void call(int id, Map<String, String> headers, byte[] body) throws IOException {
            call(TcpFrames.CALL, id, headers, body);
        }

        void call(byte kind, int id, Map<String, String> headers, byte[] body) throws IOException {
            byte[] section = TcpFrames.callHeaders(headers);
            out.write(TcpFrames.frameHeader(kind, id, section.length + body.length));
            out.write(section);
            out.write(body);
            out.flush();
        }

        Frame read() throws IOException {
            int length = in.readInt();
            byte kind = in.readByte();
            int id = in.readInt();
            return new Frame(kind, id, in.readNBytes(length - TcpFrames.FRAME_HEADER_BYTES));
        }

        /** Sends HELLO with {@code features}; answers the features the server agreed to. */
        java.util.Set<String> hello(String... features) throws Exception {
            out.write(TcpFrames.frame(TcpFrames.HELLO, 0, TcpFrames.hello(List.of(features))));
            out.flush();
            Frame answer = read();
            assertThat(answer.kind()).isEqualTo(TcpFrames.HELLO);
            assertThat(answer.id()).isZero();
            return TcpFrames.features(answer.payload());
        }

        /** The GOAWAY the server sends, after which it closes the connection. */
        Frame goAway() throws IOException {
            Frame frame = read();
            assertThat(frame.kind()).isEqualTo(TcpFrames.GOAWAY);
            assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
            return frame;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static AllocateResponse allocate(Raw raw, int id, String token) throws Exception {
        ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
        byte[] body = codec.encode(c -> c.send_allocate(new AllocateRequest("orders", SessionMode.READ)));
        raw.call(id, Map.of("authorization", "Bearer " + token), body);
        Frame reply = raw.read();
        assertThat(reply.kind()).isEqualTo(TcpFrames.REPLY);
        assertThat(reply.id()).isEqualTo(id);
        return codec.decode(reply.payload(), Switchboard.Client::recv_allocate);
    }

    private static Map<String, String> signed(AllocateResponse session, byte[] body) {
        long now = System.currentTimeMillis();
        String nonce = RequestMac.nonce();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(RequestMac.TIMESTAMP_HEADER, Long.toString(now));
        headers.put(RequestMac.NONCE_HEADER, nonce);
        headers.put(
                RequestMac.MAC_HEADER, RequestMac.sign(session.getMacKey(), session.getSessionId(), now, nonce, body));
        return headers;
    }

    @Test
    void allocateNeedsATokenAndLaterCallsAMac() throws Exception {
        try (Raw raw = new Raw(true)) {
            ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
            byte[] body = codec.encode(c -> c.send_allocate(new AllocateRequest("orders", SessionMode.READ)));
            raw.call(1, Map.of(), body);
            Frame reply = raw.read();
            assertThat(reply.kind()).isEqualTo(TcpFrames.REPLY);
            assertThatThrownBy(() -> codec.decode(reply.payload(), Switchboard.Client::recv_allocate))
                    .isInstanceOfSatisfying(
                            SwitchboardError.class,
                            e -> assertThat(e.getCode())
                                    .isEqualTo(dev.switchboard.protocol.thrift.ErrorCode.UNAUTHENTICATED));

            AllocateResponse session = allocate(raw, 2, token("switchboard:read:orders"));
            assertThat(session.getMacKey()).isNotEmpty();

            ThriftOverHttp.Codec unsigned = new ThriftOverHttp.Codec();
            byte[] read = unsigned.encode(c -> c.send_read(new ReadRequest(session.getSessionId(), 1)));
            raw.call(3, Map.of(), read);
            Frame refused = raw.read();
            assertThatThrownBy(() -> unsigned.decode(refused.payload(), Switchboard.Client::recv_read))
                    .isInstanceOfSatisfying(
                            SwitchboardError.class,
                            e -> assertThat(e.getCode())
                                    .isEqualTo(dev.switchboard.protocol.thrift.ErrorCode.UNAUTHENTICATED));

            ThriftOverHttp.Codec good = new ThriftOverHttp.Codec();
            byte[] signedRead = good.encode(c -> c.send_read(new ReadRequest(session.getSessionId(), 1)));
            raw.call(4, signed(session, signedRead), signedRead);
            Frame answer = raw.read();
            assertThat(answer.id()).isEqualTo(4);
            ReadResponse events = good.decode(answer.payload(), Switchboard.Client::recv_read);
            assertThat(events.getEvents()).hasSize(1);

            // the same MAC headers again are a replay
            Map<String, String> once = signed(session, signedRead);
            raw.call(5, once, signedRead);
            assertThat(raw.read().kind()).isEqualTo(TcpFrames.REPLY);
            raw.call(6, once, signedRead);
            Frame replayed = raw.read();
            assertThat(replayed.id()).isEqualTo(6);
            assertThatThrownBy(() -> good.decode(replayed.payload(), Switchboard.Client::recv_read))
                    .isInstanceOfSatisfying(
                            SwitchboardError.class,
                            e -> assertThat(e.getMessage()).contains("replayed"));
        }
    }

    private static final byte COMPRESSED_CALL = (byte) (TcpFrames.CALL | TcpFrames.COMPRESSED);
    private static final byte COMPRESSED_REPLY = (byte) (TcpFrames.REPLY | TcpFrames.COMPRESSED);

    @Test
    void afterHelloAgreedOnLz4CallsAndLargeRepliesTravelCompressed() throws Exception {
        try (Raw raw = new Raw(true)) {
            // unknown features are ignored, lz4 is agreed
            assertThat(raw.hello("lz4", "some-future-feature")).containsExactly("lz4");
            AllocateResponse session = allocate(raw, 1, token("switchboard:read:orders"));
            long requests = server.counters().lz4Requests();
            long replies = server.counters().lz4Replies();

            // a compressed read call, its MAC over the Thrift message as it is before compression
            ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
            byte[] read = codec.encode(c -> c.send_read(new ReadRequest(session.getSessionId(), 1).setMaxEvents(200)));
            raw.call(COMPRESSED_CALL, 2, signed(session, read), Lz4Frames.compress(read));
            Frame answer = raw.read();

            assertThat(answer.id()).isEqualTo(2);
            assertThat(answer.kind()).isEqualTo(COMPRESSED_REPLY);
            ReadResponse events =
                    codec.decode(Lz4Frames.decompress(answer.payload(), 1 << 20), Switchboard.Client::recv_read);
            assertThat(events.getEvents()).hasSize(200);
            assertThat(server.counters().lz4Requests()).isEqualTo(requests + 1);
            assertThat(server.counters().lz4Replies()).isEqualTo(replies + 1);

            // a small reply stays as it is
            ThriftOverHttp.Codec small = new ThriftOverHttp.Codec();
            byte[] one = small.encode(c -> c.send_read(new ReadRequest(session.getSessionId(), 2)));
            raw.call(3, signed(session, one), one);
            Frame plain = raw.read();
            assertThat(plain.kind()).isEqualTo(TcpFrames.REPLY);
            assertThat(small.decode(plain.payload(), Switchboard.Client::recv_read)
                            .getEvents())
                    .hasSize(1);
        }
    }

    @Test
    void aClientWithoutHelloGetsNothingCompressed() throws Exception {
        // a client from before HELLO: the preamble, then calls
        try (Raw raw = new Raw(true)) {
            AllocateResponse session = allocate(raw, 1, token("switchboard:read:orders"));
            ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
            byte[] read = codec.encode(c -> c.send_read(new ReadRequest(session.getSessionId(), 1).setMaxEvents(200)));
            raw.call(2, signed(session, read), read);
            Frame answer = raw.read();

            assertThat(answer.kind()).isEqualTo(TcpFrames.REPLY);
            assertThat(codec.decode(answer.payload(), Switchboard.Client::recv_read)
                            .getEvents())
                    .hasSize(200);
        }
    }

    @Test
    void aCompressedCallWithoutLz4AgreedBreaksTheRules() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.call(COMPRESSED_CALL, 4, Map.of(), Lz4Frames.compress(new byte[100]));
            Frame goAway = raw.goAway();
            assertThat(goAway.id()).isEqualTo(4);
            assertThat(goAway.text()).contains("did not agree on lz4");
        }
        try (Raw raw = new Raw(true)) {
            assertThat(raw.hello()).isEmpty();
            raw.call(COMPRESSED_CALL, 5, Map.of(), Lz4Frames.compress(new byte[100]));
            assertThat(raw.goAway().text()).contains("did not agree on lz4");
        }
    }

    @Test
    void helloComesFirstAndOnce() throws Exception {
        try (Raw raw = new Raw(true)) {
            allocate(raw, 1, token("switchboard:read:orders"));
            raw.out.write(TcpFrames.frame(TcpFrames.HELLO, 0, TcpFrames.hello(List.of("lz4"))));
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("HELLO comes once, first");
        }
    }

    @Test
    void aCorruptOrOversizeCompressedCallIsRefusedAndTheConnectionStays() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.hello("lz4");
            raw.call(COMPRESSED_CALL, 6, Map.of(), "not an LZ4 frame at all".getBytes(StandardCharsets.UTF_8));
            Frame corrupt = raw.read();
            assertThat(corrupt.kind()).isEqualTo(TcpFrames.REFUSED);
            assertThat(TcpFrames.refusal(corrupt.payload()).code()).isEqualTo(ErrorCode.INVALID_REQUEST);

            // small on the wire, over the limit once decompressed (no MAC headers: the small limit)
            raw.call(COMPRESSED_CALL, 7, Map.of(), Lz4Frames.compress(new byte[MAX_UNAUTHENTICATED + 1]));
            Frame large = raw.read();
            assertThat(large.id()).isEqualTo(7);
            assertThat(large.kind()).isEqualTo(TcpFrames.REFUSED);
            TcpFrames.Refusal refusal = TcpFrames.refusal(large.payload());
            assertThat(refusal.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
            assertThat(refusal.text()).contains("over the limit of " + MAX_UNAUTHENTICATED);

            AllocateResponse session = allocate(raw, 8, token("switchboard:read:orders"));
            assertThat(session.getSessionId()).isEqualTo(TestBackend.SESSION);
        }
    }

    @Test
    void pipelinedCallsOfSeveralSessionsAreAnsweredByRequestId() throws Exception {
        try (Raw raw = new Raw(true)) {
            String token = token("switchboard:read:orders");
            AllocateResponse first = allocate(raw, 100, token);
            AllocateResponse second = allocate(raw, 101, token);
            Map<Integer, ThriftOverHttp.Codec> codecs = new HashMap<>();
            Map<Integer, Integer> asked = new HashMap<>();
            // many calls written before any answer is read
            for (int n = 0; n < 50; n++) {
                int i = n;
                int id = 1_000 + i;
                int events = 1 + i % 7;
                AllocateResponse session = i % 2 == 0 ? first : second;
                ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
                byte[] body = codec.encode(
                        c -> c.send_read(new ReadRequest(session.getSessionId(), i + 1).setMaxEvents(events)));
                raw.call(id, signed(session, body), body);
                codecs.put(id, codec);
                asked.put(id, events);
            }
            List<Integer> answered = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Frame frame = raw.read();
                assertThat(frame.kind()).isEqualTo(TcpFrames.REPLY);
                ReadResponse response = codecs.get(frame.id()).decode(frame.payload(), Switchboard.Client::recv_read);
                assertThat(response.getEvents()).hasSize(asked.get(frame.id()));
                answered.add(frame.id());
            }
            assertThat(answered).containsExactlyInAnyOrderElementsOf(asked.keySet());
        }
    }

    @Test
    void aBodyThatIsNotThriftIsRefusedAndTheConnectionStays() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.call(9, Map.of(), "hello".getBytes(StandardCharsets.UTF_8));
            Frame refused = raw.read();
            assertThat(refused.kind()).isEqualTo(TcpFrames.REFUSED);
            assertThat(refused.id()).isEqualTo(9);
            TcpFrames.Refusal refusal = TcpFrames.refusal(refused.payload());
            assertThat(refusal.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(refusal.text()).contains("not a Thrift compact-protocol message");

            AllocateResponse session = allocate(raw, 10, token("switchboard:read:orders"));
            assertThat(session.getSessionId()).isEqualTo(TestBackend.SESSION);
        }
    }

    @Test
    void aConnectionWithoutThePreambleIsToldSoAndClosed() throws Exception {
        try (Raw raw = new Raw(false)) {
            raw.out.write("POST /v1/thrift HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("not a Switchboard TCP client");
        }
    }

    @Test
    void anOversizeFrameIsRefusedBeforeItsBodyIsRead() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.out.write(ByteBuffer.allocate(9)
                    .putInt(Integer.MAX_VALUE)
                    .put(TcpFrames.CALL)
                    .putInt(1)
                    .array());
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("frame length").contains("is outside");
        }
    }

    @Test
    void anUnsignedCallIsLimitedToTheUnauthenticatedSize() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.call(3, Map.of(), new byte[MAX_UNAUTHENTICATED + 1]);
            Frame goAway = raw.goAway();
            assertThat(goAway.id()).isEqualTo(3);
            assertThat(goAway.text()).contains("over the limit of " + MAX_UNAUTHENTICATED);
        }
    }

    @Test
    void requestIdZeroAndDuplicateIdsAndServerFrameKindsBreakTheRules() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.call(0, Map.of(), new byte[] {1});
            assertThat(raw.goAway().text()).contains("request id 0 is reserved");
        }
        try (Raw raw = new Raw(true)) {
            raw.out.write(TcpFrames.frame(TcpFrames.REPLY, 5, new byte[] {0}));
            raw.out.flush();
            Frame goAway = raw.goAway();
            assertThat(goAway.id()).isEqualTo(5);
            assertThat(goAway.text()).contains("unexpected frame kind 2");
        }
    }

    @Test
    void malformedHeadersAreRefused() throws Exception {
        try (Raw raw = new Raw(true)) {
            // 17 headers announced
            raw.out.write(TcpFrames.frame(TcpFrames.CALL, 4, new byte[] {17, 0, 0}));
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("at most 16 headers");
        }
        try (Raw raw = new Raw(true)) {
            // a header name with an upper-case letter
            raw.out.write(TcpFrames.frame(TcpFrames.CALL, 4, new byte[] {1, 1, 'A', 0, 0}));
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("lower-case");
        }
        try (Raw raw = new Raw(true)) {
            // a value length past the end of the frame
            raw.out.write(TcpFrames.frame(TcpFrames.CALL, 4, new byte[] {1, 1, 'a', 0x10, 0}));
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("invalid header value length");
        }
    }

    @Test
    void aFrameShorterThanItsHeaderIsRefused() throws Exception {
        try (Raw raw = new Raw(true)) {
            raw.out.write(new byte[] {0, 0, 0, 2, 1, 0});
            raw.out.flush();
            assertThat(raw.goAway().text()).contains("frame length 2 is outside");
        }
    }
}
