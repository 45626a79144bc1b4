package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.tcp.TcpFrames;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The SDK against a TCP server from before HELLO (real sockets): such a server answers HELLO with GOAWAY, and the
 * SDK connects again without it and goes on uncompressed.
 */
class TcpEndpointHelloTest {

    /** A server of framing version 1 without HELLO: GOAWAY on any kind but CALL, echoes a CALL's message. */
    private static final class OldServer implements AutoCloseable {
        final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        final Thread thread = Thread.ofVirtual().start(this::serve);

        OldServer() throws IOException {}

        private void serve() {
            while (!listener.isClosed()) {
                try (Socket socket = listener.accept()) {
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    in.readNBytes(TcpFrames.PREAMBLE.length);
                    while (true) {
                        int length = in.readInt();
                        byte kind = in.readByte();
                        int id = in.readInt();
                        byte[] payload = in.readNBytes(length - TcpFrames.FRAME_HEADER_BYTES);
                        seen.add("kind " + kind);
                        if (kind != TcpFrames.CALL) {
                            out.write(TcpFrames.frame(TcpFrames.GOAWAY, id, TcpFrames.text("unexpected frame kind")));
                            out.flush();
                            break;
                        }
                        TcpFrames.Call call = TcpFrames.call(payload);
                        out.write(TcpFrames.frame(TcpFrames.REPLY, id, call.body()));
                        out.flush();
                    }
                } catch (IOException | TcpFrames.FrameException e) {
                    // next connection
                }
            }
        }

        URI url() {
            return URI.create("sb://127.0.0.1:" + listener.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    @Test
    void anOldServerRefusesHelloAndTheSdkGoesOnWithoutIt() throws Exception {
        try (OldServer server = new OldServer()) {
            ChannelSettings settings = new ChannelSettings(
                    List.of(server.url()), Optional::empty, Duration.ofSeconds(20), Duration.ofSeconds(20), 64 * 1024);
            TcpEndpoint endpoint = new TcpEndpoint(server.url(), settings);
            try {
                // a large, compressible message: it would be compressed if the server had agreed to LZ4
                byte[] message = "compressible ".repeat(1000).getBytes(StandardCharsets.US_ASCII);

                byte[] answer = endpoint.exchange(message, Duration.ZERO, Map.of());

                assertThat(answer).isEqualTo(message);
                assertThat(server.seen).containsExactly("kind " + TcpFrames.HELLO, "kind " + TcpFrames.CALL);
            } finally {
                endpoint.close();
            }
        }
    }
}
