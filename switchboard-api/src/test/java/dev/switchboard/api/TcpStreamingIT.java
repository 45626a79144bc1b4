package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import dev.switchboard.protocol.tcp.TcpFrames;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.protocol.TCompactProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streamed reads on the API's binary TCP port over real sockets, tokens and request MACs on, against the test
 * backend (whose reads always have events): batches pushed up to the credit window and no further, credit letting
 * more through, END for a cancel and for a refused stream, and a GOAWAY for every stream frame that breaks a rule.
 */
class TcpStreamingIT {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "switchboard";
    private static final byte[] SECRET = "tcp-streaming-test-cluster-secret".getBytes(StandardCharsets.UTF_8);

    private static RSAKey key;
    private static LocalSwitch sw;
    private static TestBackend backend;
    private static Switch.Attachment attachment;
    private static ApiServer server;

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        sw = new LocalSwitch();
        backend = new TestBackend();
        attachment = sw.attach(backend);
        server = ApiServer.start(
                ApiConfig.defaults().withPort(0).withTcpPort(0).withMaxStreamWindow(3),
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

    @Test
    void batchesArePushedUpToTheWindowAndEachCreditLetsMoreThrough() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);
            long streamsBefore = server.counters().streamsOpened();

            // When a signed stream asks for a window of 10 (the node grants 3) with 2 events per batch
            raw.stream(2, session, 1, "10", true);

            // Then batches 1..3 come, each with the cursor of its acknowledgement and its events
            for (long seq = 1; seq <= 3; seq++) {
                Frame batch = raw.read();
                assertThat(batch.kind()).isEqualTo(TcpFrames.BATCH);
                assertThat(batch.id()).isEqualTo(2);
                TcpFrames.StreamBatch pushed = TcpFrames.batch(batch.payload());
                assertThat(pushed.seq()).isEqualTo(seq);
                assertThat(pushed.cursor()).isEqualTo("cursor-" + seq);
                ReadResponse response = new ReadResponse();
                new TDeserializer(new TCompactProtocol.Factory()).deserialize(response, pushed.response());
                assertThat(response.getSeq()).isEqualTo(seq);
                assertThat(response.getEvents()).hasSize(2);
            }
            assertThat(server.counters().streamsOpened()).isEqualTo(streamsBefore + 1);

            // and a credit for batch 1 lets exactly batch 4 through: the window is full again, so the frame
            // after it, once the stream is cancelled, is its END (ended as asked), not batch 5
            raw.control(TcpFrames.CREDIT, 2, TcpFrames.credit(1));
            assertThat(TcpFrames.batch(raw.read().payload()).seq()).isEqualTo(4);
            long disposes = disposes();
            raw.control(TcpFrames.CANCEL, 2, new byte[0]);
            Frame end = raw.read();
            assertThat(end.kind()).isEqualTo(TcpFrames.END);
            assertThat(TcpFrames.end(end.payload()).code()).isEmpty();

            // and the stream's session, now ahead of the client, is disposed; the connection still serves calls
            await().atMost(Duration.ofSeconds(10)).until(() -> disposes() > disposes);
            assertThat(raw.allocate(3).getSessionId()).isEqualTo(TestBackend.SESSION);
        }
    }

    @Test
    void anUnsignedStreamEndsUnauthenticated() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);

            raw.stream(2, session, 1, "2", false);

            Frame end = raw.read();
            assertThat(end.kind()).isEqualTo(TcpFrames.END);
            assertThat(end.id()).isEqualTo(2);
            assertThat(TcpFrames.end(end.payload()).code()).contains(ErrorCode.UNAUTHENTICATED);
        }
    }

    @Test
    void aStreamWithoutAValidWindowOrReadCallEndsInvalid() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);

            raw.stream(2, session, 1, "0", true);
            Frame noWindow = raw.read();
            raw.frame(TcpFrames.STREAM, 3, Map.of(TcpFrames.WINDOW_HEADER, "2"), "not thrift".getBytes());
            Frame notARead = raw.read();

            assertThat(noWindow.kind()).isEqualTo(TcpFrames.END);
            assertThat(TcpFrames.end(noWindow.payload()).code()).contains(ErrorCode.INVALID_REQUEST);
            assertThat(TcpFrames.end(noWindow.payload()).text()).contains("window");
            assertThat(notARead.kind()).isEqualTo(TcpFrames.END);
            assertThat(TcpFrames.end(notARead.payload()).code()).contains(ErrorCode.INVALID_REQUEST);
            assertThat(TcpFrames.end(notARead.payload()).text()).contains("read");
        }
    }

    @Test
    void creditForABatchNeverSentIsAGoAway() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);
            raw.stream(2, session, 1, "1", true);
            assertThat(raw.read().kind()).isEqualTo(TcpFrames.BATCH);

            raw.control(TcpFrames.CREDIT, 2, TcpFrames.credit(5));

            Frame goAway = raw.goAway();
            assertThat(goAway.id()).isEqualTo(2);
            assertThat(goAway.text()).contains("credit for batch 5").contains("not sent");
        }
    }

    @Test
    void aCreditOfTheWrongSizeIsAGoAway() throws Exception {
        try (Raw raw = new Raw()) {
            raw.control(TcpFrames.CREDIT, 9, new byte[3]);

            assertThat(raw.goAway().text()).contains("8 payload bytes");
        }
    }

    @Test
    void aStreamIdAlreadyInUseIsAGoAway() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);
            raw.stream(2, session, 1, "1", true);
            assertThat(raw.read().kind()).isEqualTo(TcpFrames.BATCH);

            raw.stream(2, session, 1, "1", true);

            assertThat(raw.goAway().text()).contains("already in flight");
        }
    }

    @Test
    void eachBatchCostsOneBackendCallItsAckRidingOnTheNextRead() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);
            long acksBefore = count(SwitchRequest._Fields.ACK);
            long readsBefore = count(SwitchRequest._Fields.READ);

            // When a stream pushes batches 1..3 (window 3)
            raw.stream(2, session, 1, "3", true);
            for (long seq = 1; seq <= 3; seq++) {
                TcpFrames.StreamBatch pushed = TcpFrames.batch(raw.read().payload());
                assertThat(pushed.seq()).isEqualTo(seq);
                assertThat(pushed.cursor()).isEqualTo("cursor-" + seq);
            }
            raw.control(TcpFrames.CANCEL, 2, new byte[0]);
            assertThat(raw.read().kind()).isEqualTo(TcpFrames.END);

            // Then no ack went to the backend on its own: each rode on the read of the next batch
            assertThat(count(SwitchRequest._Fields.ACK)).isEqualTo(acksBefore);
            assertThat(backend.received().stream()
                            .skip(readsBefore)
                            .filter(request -> request.getSetField() == SwitchRequest._Fields.READ)
                            .filter(request -> request.getRead().isSetAckSeq())
                            .map(request -> request.getRead().getAckSeq()))
                    .contains(1L, 2L, 3L);
        }
    }

    @Test
    void aBusyBackendIsWaitedForAndTheStreamCarriesOn() throws Exception {
        try (Raw raw = new Raw()) {
            AllocateResponse session = raw.allocate(1);
            raw.stream(2, session, 1, "1", true);
            assertThat(TcpFrames.batch(raw.read().payload()).seq()).isEqualTo(1);
            long retriesBefore = server.counters().streamBusyRetries();

            // When the backend answers the stream's next three reads BUSY (whichever batch they read: the pump reads
            // one batch ahead, the ack of the one before riding on it)
            backend.answerBusy(3);
            raw.control(TcpFrames.CREDIT, 2, TcpFrames.credit(1));
            assertThat(TcpFrames.batch(raw.read().payload()).seq()).isEqualTo(2);
            raw.control(TcpFrames.CREDIT, 2, TcpFrames.credit(2));

            // Then the stream waits the refusals out and carries on instead of ending
            Frame third = raw.read();
            assertThat(third.kind()).isEqualTo(TcpFrames.BATCH);
            assertThat(TcpFrames.batch(third.payload()).seq()).isEqualTo(3);
            assertThat(server.counters().streamBusyRetries() - retriesBefore).isEqualTo(3);
            raw.control(TcpFrames.CANCEL, 2, new byte[0]);
            assertThat(TcpFrames.end(raw.goAwayOrEnd().payload()).code()).isEmpty();
        } finally {
            backend.answerBusy(0);
        }
    }

    @Test
    void streamedReadsCountAgainstThePrincipalsBound() throws Exception {
        // Given a node that lets a principal have one call in progress
        ApiServer bounded = ApiServer.start(
                ApiConfig.defaults()
                        .withPort(0)
                        .withTcpPort(0)
                        .withRequestTimeout(Duration.ofSeconds(5)) // the commit that never answers gives up then
                        .withLimits(ApiLimits.defaults().withMaxCallsPerPrincipal(1)),
                sw,
                () -> true,
                ApiSecurity.of(
                        OAuthConfig.fixedKeys(ISSUER, AUDIENCE, new JWKSet(key.toPublicJWK()).toString()), SECRET));
        try (Raw raw = new Raw(bounded);
                Raw other = new Raw(bounded)) {
            AllocateResponse session = raw.allocate(1);
            raw.stream(2, session, 1, "1", true);
            assertThat(TcpFrames.batch(raw.read().payload()).seq()).isEqualTo(1);
            long refusedBefore = bounded.counters().principalCallsRefused();

            // When the same principal has a call in progress that does not end (a commit the backend never answers)
            other.signed(
                    1,
                    session,
                    c -> c.send_commit(new dev.switchboard.protocol.thrift.CommitRequest(
                            session.getSessionId(), TestBackend.NEVER_ANSWERED_SEQ)));
            await().atMost(Duration.ofSeconds(10)).until(() -> count(SwitchRequest._Fields.COMMIT) > 0);
            raw.control(TcpFrames.CREDIT, 2, TcpFrames.credit(1));

            // Then batch 2 (read before) still comes, but the stream's next read is refused by the bound and waited
            // for, as a polled read's would be
            assertThat(TcpFrames.batch(raw.read().payload()).seq()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> bounded.counters().streamBusyRetries() > 0);
            assertThat(bounded.counters().principalCallsRefused()).isGreaterThan(refusedBefore);
        } finally {
            bounded.close();
        }
    }

    private static long count(SwitchRequest._Fields kind) {
        return backend.received().stream()
                .filter(request -> request.getSetField() == kind)
                .count();
    }

    private static long disposes() {
        return backend.received().stream()
                .filter(request -> request.getSetField() == SwitchRequest._Fields.DISPOSE)
                .count();
    }

    private static String token() throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("scope", "switchboard:read:orders")
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private record Frame(byte kind, int id, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** A raw client: writes the frames a test wants, reads frames back. */
    private static final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        Raw() throws IOException {
            this(server);
        }

        Raw(ApiServer to) throws IOException {
            socket = new Socket("127.0.0.1", to.tcpPort().getAsInt());
            socket.setSoTimeout(20_000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            out.write(TcpFrames.PREAMBLE);
        }

        AllocateResponse allocate(int id) throws Exception {
            ThriftOverHttp.Codec codec = new ThriftOverHttp.Codec();
            byte[] body = codec.encode(c -> c.send_allocate(new AllocateRequest("orders", SessionMode.READ)));
            frame(TcpFrames.CALL, id, Map.of("authorization", "Bearer " + token()), body);
            Frame reply = read();
            assertThat(reply.kind()).isEqualTo(TcpFrames.REPLY);
            return codec.decode(reply.payload(), Switchboard.Client::recv_allocate);
        }

        /** A signed CALL of {@code session}: {@code send} writes its Thrift message. */
        void signed(int id, AllocateResponse session, ThriftOverHttp.Send send) throws Exception {
            byte[] body = new ThriftOverHttp.Codec().encode(send);
            long now = System.currentTimeMillis();
            String nonce = RequestMac.nonce();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(RequestMac.TIMESTAMP_HEADER, Long.toString(now));
            headers.put(RequestMac.NONCE_HEADER, nonce);
            headers.put(
                    RequestMac.MAC_HEADER,
                    RequestMac.sign(session.getMacKey(), session.getSessionId(), now, nonce, body));
            frame(TcpFrames.CALL, id, headers, body);
        }

        /** The next frame that is not a batch already on its way. */
        Frame goAwayOrEnd() throws IOException {
            Frame frame = read();
            while (frame.kind() == TcpFrames.BATCH) {
                frame = read();
            }
            return frame;
        }

        /** A STREAM frame: the read call of batch {@code seq}, 2 events per batch, signed or not. */
        void stream(int id, AllocateResponse session, long seq, String window, boolean sign) throws Exception {
            byte[] body = new ThriftOverHttp.Codec()
                    .encode(c -> c.send_read(new ReadRequest(session.getSessionId(), seq)
                            .setMaxEvents(2)
                            .setMaxWaitMs(1000)));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(TcpFrames.WINDOW_HEADER, window);
            if (sign) {
                long now = System.currentTimeMillis();
                String nonce = RequestMac.nonce();
                headers.put(RequestMac.TIMESTAMP_HEADER, Long.toString(now));
                headers.put(RequestMac.NONCE_HEADER, nonce);
                headers.put(
                        RequestMac.MAC_HEADER,
                        RequestMac.sign(session.getMacKey(), session.getSessionId(), now, nonce, body));
            }
            frame(TcpFrames.STREAM, id, headers, body);
        }

        void frame(byte kind, int id, Map<String, String> headers, byte[] body) throws IOException {
            byte[] section = TcpFrames.callHeaders(headers);
            out.write(TcpFrames.frameHeader(kind, id, section.length + body.length));
            out.write(section);
            out.write(body);
            out.flush();
        }

        void control(byte kind, int id, byte[] payload) throws IOException {
            out.write(TcpFrames.frame(kind, id, payload));
            out.flush();
        }

        Frame read() throws IOException {
            int length = in.readInt();
            byte kind = in.readByte();
            int id = in.readInt();
            return new Frame(kind, id, in.readNBytes(length - TcpFrames.FRAME_HEADER_BYTES));
        }

        Frame goAway() throws IOException {
            Frame frame = read();
            while (frame.kind() == TcpFrames.BATCH) {
                frame = read(); // batches already on their way
            }
            assertThat(frame.kind()).isEqualTo(TcpFrames.GOAWAY);
            assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
            return frame;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
