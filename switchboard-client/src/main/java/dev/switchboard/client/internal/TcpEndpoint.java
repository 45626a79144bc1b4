package dev.switchboard.client.internal;

import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.compress.CompressionPolicy;
import dev.switchboard.protocol.compress.Lz4Frames;
import dev.switchboard.protocol.tcp.TcpFrames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API node over the binary TCP transport ({@code sb://host:port}, {@code sbs://host:port} over TLS; framing
 * in {@link TcpFrames}): one long-lived connection, opened on first use and again after it is lost, that carries
 * every call of this client (all its sessions) pipelined, answers matched by request id. At most
 * {@link #MAX_IN_FLIGHT} calls are in flight (further callers wait, within their timeout). A call whose answer
 * does not come within the request timeout (plus its long poll) is a lost answer, to be retried, like a lost
 * connection.
 *
 * <p>Streamed reads ({@link #stream}) ride on the same connection, at most {@link #MAX_STREAMS} on one (the server's
 * limit); past that a stream opens a further connection of its own, used for streams only. A stream's frames
 * (BATCH, END) go to its {@link StreamSink}; a lost connection ends its streams ({@link StreamSink#lost}).
 * Thread-safe.
 */
final class TcpEndpoint implements Endpoint {
    private static final Logger LOGGER = LoggerFactory.getLogger(TcpEndpoint.class);

    /** The server's limit per connection; past it the server stops reading, so waiting here costs less. */
    static final int MAX_IN_FLIGHT = 128;
    /** The server's limit of streams open on one connection. */
    static final int MAX_STREAMS = 128;
    /** The largest answer accepted: a read answer is at most a few chunks of events. */
    private static final int MAX_ANSWER_BYTES = 256 * 1024 * 1024;

    private final URI url;
    private final ChannelSettings settings;
    private final boolean tls;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final ReentrantLock connecting = new ReentrantLock();
    private final AtomicInteger ids = new AtomicInteger();
    private final CompressionPolicy lz4Calls = new CompressionPolicy(Lz4Frames.MIN_BYTES);
    /** Null until the first call connects. */
    private volatile @Nullable Connection connection;
    /** Connections opened for streams once {@link #connection} carried {@link #MAX_STREAMS}; guarded by connecting. */
    private final List<Connection> streamConnections = new java.util.ArrayList<>();

    private volatile boolean closed;

    TcpEndpoint(URI url, ChannelSettings settings) {
        this.url = url;
        this.settings = settings;
        this.tls = "sbs".equalsIgnoreCase(url.getScheme());
    }

    @Override
    public URI url() {
        return url;
    }

    @Override
    public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
            throws ConnectException, TransientFailure, InterruptedException {
        Duration timeout = settings.requestTimeout().plus(extraTime);
        if (!inFlight.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TransientFailure("no answer from " + url + ": " + MAX_IN_FLIGHT + " calls in flight for "
                    + timeout.toMillis() + " ms");
        }
        try {
            return connection().call(message, withToken(headers), timeout);
        } finally {
            inFlight.release();
        }
    }

    @Override
    public boolean streams() {
        return true;
    }

    @Override
    public StreamLink stream(byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
            throws ConnectException, TransientFailure {
        return streamConnection().stream(readCall, headers, window, sink);
    }

    /** A connection with a stream reserved on it: the calls' connection while it has room, else another. */
    private Connection streamConnection() throws ConnectException {
        connecting.lock();
        try {
            Connection main = connection();
            if (main.reserveStream()) {
                return main;
            }
            streamConnections.removeIf(other -> !other.open());
            for (Connection other : streamConnections) {
                if (other.reserveStream()) {
                    return other;
                }
            }
            if (closed) {
                throw new ConnectException("the client is closed");
            }
            Connection fresh = connect();
            streamConnections.add(fresh);
            if (!fresh.reserveStream()) {
                throw new IllegalStateException("a new connection has no room for a stream");
            }
            return fresh;
        } finally {
            connecting.unlock();
        }
    }

    /** The bearer token rides on calls that are not signed (allocate); signed calls need none. */
    private Map<String, String> withToken(Map<String, String> headers) {
        if (headers.containsKey(RequestMac.MAC_HEADER)) {
            return headers;
        }
        Optional<String> token = settings.token().get();
        if (token.isEmpty()) {
            return headers;
        }
        Map<String, String> all = new HashMap<>(headers);
        all.put("authorization", "Bearer " + token.get());
        return all;
    }

    private Connection connection() throws ConnectException {
        Connection current = connection;
        if (current != null && current.open()) {
            return current;
        }
        connecting.lock();
        try {
            current = connection;
            if (current != null && current.open()) {
                return current;
            }
            if (closed) {
                throw new ConnectException("the client is closed");
            }
            Connection fresh = connect();
            connection = fresh;
            return fresh;
        } finally {
            connecting.unlock();
        }
    }

    private Connection connect() throws ConnectException {
        Connection opened = open(true);
        if (opened == null) {
            // a server that predates HELLO refused it: the same without
            LOGGER.debug("the server does not know HELLO, connecting without compression url={}", url);
            opened = open(false);
        }
        if (opened == null) {
            throw new ConnectException("cannot connect to " + url + ": the server closed the connection at once");
        }
        Thread.ofVirtual().name("switchboard-tcp-reader").start(opened::readAnswers);
        LOGGER.debug("connected url={} lz4={}", url, opened.lz4);
        return opened;
    }

    /** A new connection, with HELLO when {@code hello}; null when the server answered HELLO with GOAWAY. */
    private @Nullable Connection open(boolean hello) throws ConnectException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), (int)
                    settings.connectTimeout().toMillis());
            if (tls) {
                socket = secure(socket);
            }
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            out.write(TcpFrames.PREAMBLE);
            boolean lz4 = false;
            if (hello) {
                out.write(TcpFrames.frame(TcpFrames.HELLO, 0, TcpFrames.hello(List.of(TcpFrames.LZ4))));
                out.flush();
                socket.setSoTimeout((int) settings.connectTimeout().toMillis());
                int length = in.readInt();
                byte kind = in.readByte();
                in.readInt(); // id
                if (length < TcpFrames.FRAME_HEADER_BYTES
                        || length - TcpFrames.FRAME_HEADER_BYTES > TcpFrames.MAX_HELLO_BYTES + 1024) {
                    throw new IOException("the server answered HELLO with a frame of length " + length);
                }
                byte[] payload = in.readNBytes(length - TcpFrames.FRAME_HEADER_BYTES);
                if (kind == TcpFrames.GOAWAY) {
                    closeQuietly(socket);
                    return null;
                }
                if (kind != TcpFrames.HELLO) {
                    throw new IOException("the server answered HELLO with a frame of kind " + kind);
                }
                lz4 = TcpFrames.features(payload).contains(TcpFrames.LZ4);
                socket.setSoTimeout(0);
            } else {
                out.flush();
            }
            return new Connection(socket, out, in, lz4);
        } catch (SSLHandshakeException e) {
            closeQuietly(socket);
            // retrying cannot help: the server's certificate is not trusted (or TLS is misconfigured)
            throw SwitchboardException.of(
                    ErrorCode.UNAVAILABLE,
                    "TLS handshake with " + url + " failed: " + e.getMessage()
                            + " (is the server's certificate trusted? see trustedCertificates / --ca-file)");
        } catch (IOException | TcpFrames.FrameException e) {
            closeQuietly(socket);
            ConnectException refused = new ConnectException("cannot connect to " + url + ": " + e.getMessage());
            refused.initCause(e);
            throw refused;
        }
    }

    /** TLS over the connected socket, the server's certificate and host name verified as HTTPS does. */
    private Socket secure(Socket plain) throws IOException {
        SSLContext context;
        try {
            context = settings.tls().isPresent() ? settings.tls().get() : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS in this JDK", e);
        }
        SSLSocket socket =
                (SSLSocket) context.getSocketFactory().createSocket(plain, url.getHost(), url.getPort(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) settings.connectTimeout().toMillis());
        socket.startHandshake();
        socket.setSoTimeout(0);
        return socket;
    }

    @Override
    public void close() {
        closed = true;
        Connection current = connection;
        if (current != null) {
            current.fail("the client was closed");
        }
        connecting.lock();
        try {
            streamConnections.forEach(other -> other.fail("the client was closed"));
            streamConnections.clear();
        } finally {
            connecting.unlock();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** What came back for one call. */
    private sealed interface Answer {
        record Reply(byte[] body) implements Answer {}

        record Refused(TcpFrames.Refusal refusal) implements Answer {}

        /** The server closed the connection because this call's frame broke a rule. */
        record Broken(String text) implements Answer {}

        record Lost(String reason) implements Answer {}
    }

    private final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;
        /** Whether the server agreed on LZ4 in HELLO. */
        private final boolean lz4;

        private final ReentrantLock writeLock = new ReentrantLock();
        private final Map<Integer, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
        /** Open streams by id; an entry holds one of {@code streamSlots}, released when it is removed. */
        private final Map<Integer, StreamSink> streams = new ConcurrentHashMap<>();

        private final Semaphore streamSlots = new Semaphore(MAX_STREAMS);
        /** Why the connection failed; null while it is open. */
        private volatile @Nullable String failure;

        Connection(Socket socket, OutputStream out, DataInputStream in, boolean lz4) {
            this.socket = socket;
            this.out = out;
            this.in = in;
            this.lz4 = lz4;
        }

        boolean open() {
            return failure == null;
        }

        byte[] call(byte[] message, Map<String, String> headers, Duration timeout)
                throws TransientFailure, InterruptedException {
            int id = nextId();
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            pending.put(id, answer);
            try {
                byte[] section = TcpFrames.callHeaders(headers);
                byte kind = TcpFrames.CALL;
                byte[] body = message;
                if (lz4 && lz4Calls.compress(message.length)) {
                    byte[] compressed = Lz4Frames.compress(message);
                    if (lz4Calls.paid(message.length, compressed.length)) {
                        kind = (byte) (TcpFrames.CALL | TcpFrames.COMPRESSED);
                        body = compressed;
                    }
                }
                byte[] header = TcpFrames.frameHeader(kind, id, section.length + body.length);
                writeLock.lock();
                try {
                    out.write(header);
                    out.write(section);
                    out.write(body);
                    out.flush();
                } finally {
                    writeLock.unlock();
                }
                String lost = failure;
                if (lost != null) {
                    // failed while we registered: the reader may not have seen this call
                    answer.complete(new Answer.Lost(lost));
                }
                return unwrap(answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (IOException e) {
                fail("the connection failed: " + e.getMessage());
                throw new TransientFailure("no answer from " + url + ": " + e.getMessage(), e);
            } catch (TimeoutException e) {
                throw new TransientFailure("no answer from " + url + " within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw new TransientFailure("no answer from " + url + ": " + e.getCause(), e.getCause());
            } finally {
                pending.remove(id);
            }
        }

        private byte[] unwrap(Answer answer) throws TransientFailure {
            return switch (answer) {
                case Answer.Reply reply -> reply.body();
                case Answer.Refused refused -> {
                    TcpFrames.Refusal refusal = refused.refusal();
                    if (refusal.code() == ErrorCode.BUSY) {
                        throw SwitchboardException.busy(refusal.retryAfterMs(), refusal.text());
                    }
                    throw SwitchboardException.of(refusal.code(), refusal.text());
                }
                case Answer.Broken broken ->
                    throw SwitchboardException.of(
                            ErrorCode.INVALID_REQUEST, "the server refused the call's frame: " + broken.text());
                case Answer.Lost lost -> throw new TransientFailure("no answer from " + url + ": " + lost.reason());
            };
        }

        private int nextId() {
            int id;
            do {
                id = ids.incrementAndGet();
            } while (id == 0 || pending.containsKey(id) || streams.containsKey(id));
            return id;
        }

        /** Takes one of this connection's stream slots; false when it has none, or is failed. */
        boolean reserveStream() {
            if (!open()) {
                return false;
            }
            return streamSlots.tryAcquire();
        }

        /** Sends a STREAM frame on a slot {@link #reserveStream} took; the slot goes back when the stream ends. */
        StreamLink stream(byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
                throws TransientFailure {
            Map<String, String> all = new java.util.LinkedHashMap<>(headers);
            all.put(TcpFrames.WINDOW_HEADER, Integer.toString(window));
            byte[] section;
            try {
                section = TcpFrames.callHeaders(all);
            } catch (IllegalArgumentException e) {
                streamSlots.release();
                throw e;
            }
            int id = nextId();
            streams.put(id, sink);
            writeLock.lock();
            try {
                out.write(TcpFrames.frameHeader(TcpFrames.STREAM, id, section.length + readCall.length));
                out.write(section);
                out.write(readCall);
                out.flush();
            } catch (IOException e) {
                fail("the connection failed: " + e.getMessage());
                throw new TransientFailure("cannot open a stream at " + url + ": " + e.getMessage(), e);
            } finally {
                writeLock.unlock();
            }
            String lost = failure;
            if (lost != null) {
                ended(id).ifPresent(gone -> gone.lost(lost)); // failed while we registered
            }
            return new Link(id);
        }

        /** Removes stream {@code id}, giving its slot back; empty when it ended already. */
        private Optional<StreamSink> ended(int id) {
            StreamSink sink = streams.remove(id);
            if (sink == null) {
                return Optional.empty();
            }
            streamSlots.release();
            return Optional.of(sink);
        }

        private void control(byte kind, int id, byte[] payload) {
            writeLock.lock();
            try {
                out.write(TcpFrames.frame(kind, id, payload));
                out.flush();
            } catch (IOException e) {
                fail("the connection failed: " + e.getMessage());
            } finally {
                writeLock.unlock();
            }
        }

        /** One stream's frames to the server. */
        private final class Link implements StreamLink {
            private final int id;

            Link(int id) {
                this.id = id;
            }

            @Override
            public void credit(long seq) {
                control(TcpFrames.CREDIT, id, TcpFrames.credit(seq));
            }

            @Override
            public void cancel() {
                control(TcpFrames.CANCEL, id, new byte[0]);
            }
        }

        void readAnswers() {
            try (in) {
                while (true) {
                    int length = in.readInt();
                    if (length < TcpFrames.FRAME_HEADER_BYTES || length > MAX_ANSWER_BYTES) {
                        fail("the server sent a frame of invalid length " + Integer.toUnsignedString(length));
                        return;
                    }
                    byte kind = in.readByte();
                    int id = in.readInt();
                    byte[] payload = in.readNBytes(length - TcpFrames.FRAME_HEADER_BYTES);
                    if (payload.length != length - TcpFrames.FRAME_HEADER_BYTES) {
                        fail("the server closed the connection inside a frame");
                        return;
                    }
                    if (kind == (byte) (TcpFrames.REPLY | TcpFrames.COMPRESSED) && lz4) {
                        try {
                            payload = Lz4Frames.decompress(payload, MAX_ANSWER_BYTES);
                        } catch (IOException e) {
                            fail("the server sent a corrupt compressed reply: " + e.getMessage());
                            return;
                        }
                        kind = TcpFrames.REPLY;
                    }
                    if (kind == (byte) (TcpFrames.BATCH | TcpFrames.COMPRESSED) && lz4) {
                        TcpFrames.StreamBatch compressed = TcpFrames.batch(payload);
                        byte[] response;
                        try {
                            response = Lz4Frames.decompress(compressed.response(), MAX_ANSWER_BYTES);
                        } catch (IOException e) {
                            fail("the server sent a corrupt compressed batch: " + e.getMessage());
                            return;
                        }
                        StreamSink sink = streams.get(id);
                        if (sink != null) {
                            sink.batch(new TcpFrames.StreamBatch(compressed.seq(), compressed.cursor(), response));
                        }
                        continue;
                    }
                    switch (kind) {
                        case TcpFrames.REPLY -> complete(id, new Answer.Reply(payload));
                        case TcpFrames.REFUSED -> complete(id, new Answer.Refused(TcpFrames.refusal(payload)));
                        case TcpFrames.BATCH -> {
                            StreamSink sink = streams.get(id);
                            if (sink != null) {
                                sink.batch(TcpFrames.batch(payload));
                            } // a batch of a stream that ended is dropped
                        }
                        case TcpFrames.END -> {
                            TcpFrames.StreamEnd end = TcpFrames.end(payload);
                            ended(id).ifPresent(sink -> sink.end(end));
                        }
                        case TcpFrames.GOAWAY -> {
                            String text = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
                            LOGGER.warn("the server closed the connection url={} reason={}", url, text);
                            complete(id, new Answer.Broken(text));
                            fail("the server closed the connection: " + text);
                            return;
                        }
                        default -> {
                            fail("the server sent a frame of unknown kind " + kind);
                            return;
                        }
                    }
                }
            } catch (SocketTimeoutException e) {
                fail("read timed out");
            } catch (IOException | TcpFrames.FrameException e) {
                fail("the connection was lost: " + e.getMessage());
            }
        }

        private void complete(int id, Answer answer) {
            CompletableFuture<Answer> waiting = pending.get(id);
            if (waiting != null) {
                waiting.complete(answer); // an answer nobody waits for any more (timed out) is dropped
            }
        }

        void fail(String reason) {
            if (failure == null) {
                failure = reason;
            }
            closeQuietly(socket);
            for (CompletableFuture<Answer> waiting : pending.values()) {
                waiting.complete(new Answer.Lost(reason));
            }
            for (Integer id : List.copyOf(streams.keySet())) {
                ended(id).ifPresent(sink -> sink.lost(reason));
            }
        }
    }
}
