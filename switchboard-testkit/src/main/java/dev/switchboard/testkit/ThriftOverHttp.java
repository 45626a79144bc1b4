package dev.switchboard.testkit;

import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * A raw Thrift test client, for calls the SDK would never make (wrong seqs, forged cursors): the generated {@link Switchboard.Client} encodes calls into memory and decodes replies from memory;
 * {@link HttpClient} carries them to the server, the way any real client would.
 */
public final class ThriftOverHttp {
    public static final String CONTENT_TYPE = "application/vnd.apache.thrift.compact";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final Optional<String> token;
    private final Map<String, byte[]> macKeys = new ConcurrentHashMap<>();
    private final Map<String, String> extraHeaders = new ConcurrentHashMap<>();

    public ThriftOverHttp(URI base) {
        this(base, Optional.empty());
    }

    private ThriftOverHttp(URI base, Optional<String> token) {
        this.base = base;
        this.token = token;
    }

    /**
     * A client that authenticates like the SDK: {@code Authorization: Bearer <token>} on every post, and the
     * session calls ({@link #read}, {@link #ack}, {@link #write}, {@link #commit}, {@link #dispose}) signed
     * with the MAC key that {@link #allocate} received for their session.
     */
    public static ThriftOverHttp authorised(URI base, String token) {
        return new ThriftOverHttp(base, Optional.of(token));
    }

    @FunctionalInterface
    public interface Send {
        void send(Switchboard.Client client) throws TException;
    }

    @FunctionalInterface
    public interface Receive<T> {
        T receive(Switchboard.Client client) throws TException;
    }

    /** One Thrift client over in-memory transports: encode a call, then decode the reply bytes given to it. */
    public static final class Codec {
        private final TMemoryInputTransport in;
        private final TMemoryBuffer out;
        private final Switchboard.Client client;

        public Codec() {
            try {
                in = new TMemoryInputTransport();
                out = new TMemoryBuffer(256);
            } catch (TException e) {
                throw new IllegalStateException(e);
            }
            client = new Switchboard.Client(new TCompactProtocol(in), new TCompactProtocol(out));
        }

        public byte[] encode(Send send) throws TException {
            send.send(client);
            return Arrays.copyOf(out.getArray(), out.length());
        }

        public <T> T decode(byte[] reply, Receive<T> receive) throws TException {
            in.reset(reply);
            return receive.receive(client);
        }
    }

    /** Signs later calls of {@code sessionId} with {@code key} (say, one derived from a known cluster secret). */
    public ThriftOverHttp withMacKey(String sessionId, byte[] key) {
        macKeys.put(sessionId, key.clone());
        return this;
    }

    /** Sends header {@code name: value} with every later post (say, a W3C {@code traceparent}). */
    public ThriftOverHttp withHeader(String name, String value) {
        extraHeaders.put(name, value);
        return this;
    }

    public AllocateResponse allocate(AllocateRequest request) throws TException {
        AllocateResponse response = call(client -> client.send_allocate(request), Switchboard.Client::recv_allocate);
        if (response.isSetMacKey()) {
            macKeys.put(response.getSessionId(), response.getMacKey());
        }
        return response;
    }

    public ReadResponse read(ReadRequest request) throws TException {
        return call(request.getSessionId(), client -> client.send_read(request), Switchboard.Client::recv_read);
    }

    public AckResponse ack(AckRequest request) throws TException {
        return call(request.getSessionId(), client -> client.send_ack(request), Switchboard.Client::recv_ack);
    }

    public WriteResponse write(WriteRequest request) throws TException {
        return call(request.getSessionId(), client -> client.send_write(request), Switchboard.Client::recv_write);
    }

    public CommitResponse commit(CommitRequest request) throws TException {
        return call(request.getSessionId(), client -> client.send_commit(request), Switchboard.Client::recv_commit);
    }

    public DisposeResponse dispose(DisposeRequest request) throws TException {
        return call(request.getSessionId(), client -> client.send_dispose(request), Switchboard.Client::recv_dispose);
    }

    public <T> T call(Send send, Receive<T> receive) throws TException {
        return exchange(Optional.empty(), send, receive);
    }

    /** One call; signed with the MAC key of {@code sessionId} when this client holds one. */
    public <T> T call(String sessionId, Send send, Receive<T> receive) throws TException {
        return exchange(Optional.of(sessionId), send, receive);
    }

    private <T> T exchange(Optional<String> sessionId, Send send, Receive<T> receive) throws TException {
        Codec codec = new Codec();
        byte[] body = codec.encode(send);
        HttpResponse<byte[]> response = post(body, macHeaders(sessionId, body));
        String contentType = response.headers().firstValue("content-type").orElse("");
        if (response.statusCode() != 200 || !contentType.equals(CONTENT_TYPE)) {
            throw new AssertionError("expected 200 " + CONTENT_TYPE + ", got " + response.statusCode() + " "
                    + contentType + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return codec.decode(response.body(), receive);
    }

    private String[] macHeaders(Optional<String> session, byte[] body) {
        if (session.isEmpty()) {
            return new String[0];
        }
        String sessionId = session.get();
        byte[] key = macKeys.get(sessionId);
        if (key == null) {
            return new String[0];
        }
        long now = System.currentTimeMillis();
        String nonce = RequestMac.nonce();
        return new String[] {
            RequestMac.TIMESTAMP_HEADER, Long.toString(now),
            RequestMac.NONCE_HEADER, nonce,
            RequestMac.MAC_HEADER, RequestMac.sign(key, sessionId, now, nonce, body)
        };
    }

    public HttpResponse<byte[]> post(byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/thrift"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        extraHeaders.forEach(request::header);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    public HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("HTTP exchange failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path) {
        return method("GET", path);
    }

    public HttpResponse<String> method(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("HTTP exchange failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
