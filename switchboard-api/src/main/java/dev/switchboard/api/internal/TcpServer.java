package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.api.ApiLimits;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.compress.CompressionPolicy;
import dev.switchboard.protocol.compress.Lz4Frames;
import dev.switchboard.protocol.tcp.TcpFrames;
import dev.switchboard.protocol.thrift.Switchboard;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tier's binary TCP port ({@code sb://}, {@code sbs://} with TLS): the frames of {@link TcpFrames}, each
 * call handed to the same {@link ThriftDispatcher} (and so the same tokens, request MACs and checks) as
 * {@code POST /v1/thrift}. One connection carries many sessions' calls, pipelined and answered out of order by
 * request id.
 *
 * <p>Why plain sockets on virtual threads and not Netty: the API already runs every call on a virtual thread and
 * blocks while the backend answers; here a connection is one reader thread plus one virtual thread per call in
 * flight, every bound is a counter or a socket timeout, and no second I/O framework (with its own buffers and
 * threads) joins Jetty in the process.
 *
 * <p>Bounds: {@code max-connections} connections (further ones wait in the kernel's backlog); per connection at
 * most {@link #MAX_IN_FLIGHT} calls in flight, past which the reader stops reading (TCP backpressure is the flow
 * control); frames up to {@code max-request-bytes} of body ({@code max-unauthenticated-request-bytes} without
 * request MAC headers); every body charged to the node's body budget (BUSY past it); a connection silent for
 * {@code idle-timeout} with no call in flight is closed, as is one whose frame arrives slower than
 * {@code min-request-data-rate}, whose preamble or frame head (frame header and header section) takes longer than
 * {@code header-timeout} from its first byte, or whose answer cannot be written within {@code idle-timeout}. A frame that breaks
 * a rule gets a GOAWAY frame saying which, and the connection is closed.
 *
 * <p>Compression: a client that opens with HELLO listing {@code lz4} gets HELLO {@code lz4} back, may then send
 * LZ4-compressed calls (their declared size within the same limits, charged to the body budget before they are
 * decompressed) and gets replies (and streamed batches) of at least {@value Lz4Frames#MIN_BYTES} bytes compressed while that pays
 * ({@link CompressionPolicy}, per connection). Without HELLO nothing is compressed (clients that predate it).
 *
 * <p>Streamed reads (STREAM, CREDIT, CANCEL frames; BATCH and END back) are {@link TcpStreams}': they do not count
 * as calls in flight, but a connection with a stream open is not idle.
 */
public final class TcpServer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TcpServer.class);

    /** Calls in flight per connection; the SDK keeps to the same number. */
    public static final int MAX_IN_FLIGHT = 128;

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(3);
    /** How long a frame's body may arrive slower than min-request-data-rate before the rate is enforced. */
    private static final long GRACE_MS = 1_000;

    /** How long and how much a connection refused with GOAWAY is still read (and discarded) before its close. */
    private static final Duration LINGER = Duration.ofSeconds(1);

    private static final long LINGER_BYTES = 1 << 20;

    private static final long NOT_WRITING = Long.MIN_VALUE;

    private static final long NOT_IN_HEAD = Long.MIN_VALUE;

    private final ServerSocket listener;
    private final ThriftDispatcher dispatcher;
    private final BoundedBodies bodies;
    private final Optional<RequestMacs> macs;
    private final int maxRequestBytes;
    private final int maxUnauthenticatedRequestBytes;
    private final ApiLimits limits;
    private final ApiCounters counters;
    private final TcpStreams.Calls streamCalls;
    private final Semaphore connectionSlots;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;
    /** The API node's clock: idle writes, the data-rate limit, the drain and the linger are measured by it. */
    private final Clock clock;

    private final Thread acceptor;
    private volatile boolean closed;

    private TcpServer(
            ServerSocket listener,
            ThriftDispatcher dispatcher,
            BoundedBodies bodies,
            Optional<RequestMacs> macs,
            int maxRequestBytes,
            ApiLimits limits,
            ApiCounters counters,
            Clock clock,
            TcpStreams.Calls streamCalls) {
        this.listener = listener;
        this.clock = clock;
        this.streamCalls = streamCalls;
        this.dispatcher = dispatcher;
        this.bodies = bodies;
        this.macs = macs;
        this.maxRequestBytes = maxRequestBytes;
        this.maxUnauthenticatedRequestBytes = Math.min(maxRequestBytes, limits.maxUnauthenticatedRequestBytes());
        this.limits = limits;
        this.counters = counters;
        this.connectionSlots = new Semaphore(limits.maxConnections());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("switchboard-tcp-watchdog").factory());
        this.acceptor = Thread.ofVirtual().name("switchboard-tcp-accept").unstarted(this::acceptLoop);
    }

    /** Listens on {@code host:port} (0 = any free port), with TLS when {@code tls} is present. */
    public static TcpServer start(
            String host,
            int port,
            Optional<SSLContext> tls,
            ThriftDispatcher dispatcher,
            BoundedBodies bodies,
            Optional<RequestMacs> macs,
            int maxRequestBytes,
            ApiLimits limits,
            ApiCounters counters,
            Clock clock,
            TcpStreams.Calls streamCalls) {
        ServerSocket listener;
        try {
            if (tls.isPresent()) {
                SSLServerSocket secure =
                        (SSLServerSocket) tls.get().getServerSocketFactory().createServerSocket();
                secure.setEnabledProtocols(Arrays.stream(secure.getSupportedProtocols())
                        .filter(p -> p.equals("TLSv1.3") || p.equals("TLSv1.2"))
                        .toArray(String[]::new));
                listener = secure;
            } else {
                listener = new ServerSocket();
            }
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1024);
        } catch (IOException e) {
            throw new IllegalStateException("the API's TCP port could not listen on " + host + ":" + port, e);
        }
        TcpServer server = new TcpServer(
                listener, dispatcher, bodies, macs, maxRequestBytes, limits, counters, clock, streamCalls);
        server.acceptor.start();
        server.watchdog.scheduleWithFixedDelay(server::checkConnections, 1, 1, TimeUnit.SECONDS);
        return server;
    }

    /**
     * What streamed reads call the backend with: {@code authenticated} is the node's whole chain (a stream's first
     * read), {@code trusted} the calls without the request MAC check (its later reads and acks).
     */
    public static TcpStreams.Calls streamCalls(
            BiFunction<CallContext, InFlightCalls, Switchboard.Iface> authenticated,
            BiFunction<CallContext, InFlightCalls, Switchboard.Iface> trusted,
            InFlightCalls nodeWaits,
            int maxWindow,
            int maxRequestBytes) {
        return new TcpStreams.Calls(authenticated, trusted, nodeWaits, maxWindow, maxRequestBytes);
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                connectionSlots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                socket = listener.accept();
            } catch (IOException e) {
                connectionSlots.release();
                if (!closed) {
                    LOGGER.warn("tcp accept failed: {}", e.toString());
                }
                continue;
            }
            Connection connection = new Connection(socket);
            connections.add(connection);
            Thread.ofVirtual().name("switchboard-tcp-conn").start(connection::run);
        }
    }

    /**
     * Closes connections whose answer has been stuck in the socket for longer than idle-timeout (a client that
     * stopped reading), and those whose preamble or frame head has taken longer than header-timeout (a client that
     * trickles a head, a byte within every idle-timeout).
     */
    private void checkConnections() {
        long now = clock.millis();
        for (Connection connection : connections) {
            long headStarted = connection.headStartedMillis;
            if (headStarted != NOT_IN_HEAD
                    && now - headStarted > limits.headerTimeout().toMillis()) {
                counters.countSlowHead();
                LOGGER.info(
                        "tcp connection closed: its frame head took longer than header-timeout {} remote={}",
                        limits.headerTimeout(),
                        connection.remote);
                connection.closeSocket();
                continue;
            }
            OptionalLong started = connection.writeStarted();
            if (started.isPresent()
                    && now - started.getAsLong() > limits.idleTimeout().toMillis()) {
                LOGGER.info("tcp connection closed: the client did not read its answers remote={}", connection.remote);
                connection.closeSocket();
            }
        }
    }

    /** Stops accepting, lets calls in flight answer (the caller has already answered waiting ones), closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOGGER.debug("tcp listener close: {}", e.toString());
        }
        acceptor.interrupt();
        long deadline = clock.millis() + DRAIN_TIMEOUT.toMillis();
        for (Connection connection : List.copyOf(connections)) {
            connection.stopReading();
            connection.streams.stopAll("this API node is shutting down; open the stream again");
        }
        for (Connection connection : List.copyOf(connections)) {
            connection.awaitIdle(deadline);
            connection.closeSocket();
        }
        watchdog.shutdownNow();
    }

    /** One client connection: its reader runs on the thread that calls {@link #run}, each call on its own. */
    private final class Connection {
        private final Socket socket;
        private final String remote;
        private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        private final Set<Integer> ids = ConcurrentHashMap.newKeySet();
        private final ReentrantLock writeLock = new ReentrantLock();
        private final TcpStreams streams;
        /** When the answer being written started, by the clock; {@link #NOT_WRITING} between answers. */
        private volatile long writeStartedMillis = NOT_WRITING;
        /**
         * When the preamble or the frame head being read started, by the clock; {@link #NOT_IN_HEAD} between
         * heads (waiting for a frame, or reading a body, which min-request-data-rate bounds).
         */
        private volatile long headStartedMillis;

        private volatile boolean reading = true;
        private @Nullable OutputStream out;
        /** Whether HELLO agreed on LZ4; set by the reader before any call it starts. */
        private volatile boolean lz4;

        private boolean greeted;
        private final CompressionPolicy replies = new CompressionPolicy(Lz4Frames.MIN_BYTES);

        Connection(Socket socket) {
            this.socket = socket;
            this.remote = String.valueOf(socket.getRemoteSocketAddress());
            this.streams = new TcpStreams(streamCalls, this::sendStreamFrame, counters, remote);
            this.headStartedMillis = clock.millis(); // the preamble is the first head
        }

        void run() {
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(
                        (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()));
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
                out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                byte[] preamble = new byte[TcpFrames.PREAMBLE.length];
                in.readFully(preamble);
                if (!Arrays.equals(preamble, TcpFrames.PREAMBLE)) {
                    throw new TcpFrames.FrameException(
                            0, "not a Switchboard TCP client: a connection starts with the bytes 'S' 'B' 'T' 1");
                }
                headStartedMillis = NOT_IN_HEAD;
                while (reading && !closed) {
                    inFlight.acquire(); // flow control: past MAX_IN_FLIGHT the client's frames wait in TCP buffers
                    if (!readFrame(in)) {
                        inFlight.release();
                        break;
                    }
                }
            } catch (TcpFrames.FrameException e) {
                LOGGER.info("tcp frame refused remote={} reason={}", remote, e.getMessage());
                goAway(e.id(), String.valueOf(e.getMessage()));
                lingerAfterGoAway();
            } catch (SocketTimeoutException e) {
                LOGGER.debug("tcp connection idle or too slow remote={}", remote);
            } catch (EOFException e) {
                LOGGER.debug("tcp connection closed by the client remote={}", remote);
            } catch (IOException e) {
                LOGGER.debug("tcp connection failed remote={} error={}", remote, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // calls still running answer into a closed socket, which they ignore; streams end with it
                streams.stopAll("the connection closed");
                closeSocket();
            }
        }

        /** Reads and starts one call; false at a clean end of stream. */
        private boolean readFrame(DataInputStream in) throws IOException, TcpFrames.FrameException {
            int first;
            while (true) {
                try {
                    first = in.read();
                    break;
                } catch (SocketTimeoutException e) {
                    if (inFlight.availablePermits() == MAX_IN_FLIGHT - 1 && streams.isEmpty()) {
                        throw e; // silent with nothing in flight (the permit held is for this frame): idle
                    }
                }
            }
            if (first < 0) {
                return false;
            }
            long start = clock.millis();
            headStartedMillis = start;
            int length = (first << 24) | (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            int maxFrame = TcpFrames.FRAME_HEADER_BYTES + TcpFrames.MAX_HEADER_SECTION_BYTES + maxRequestBytes;
            if (length < TcpFrames.FRAME_HEADER_BYTES || length > maxFrame) {
                throw new TcpFrames.FrameException(
                        0,
                        "frame length " + Integer.toUnsignedString(length) + " is outside "
                                + TcpFrames.FRAME_HEADER_BYTES + ".." + maxFrame);
            }
            byte kind = in.readByte();
            int id = in.readInt();
            if (kind == TcpFrames.HELLO) {
                hello(in, id, length - TcpFrames.FRAME_HEADER_BYTES);
                headStartedMillis = NOT_IN_HEAD;
                inFlight.release();
                return true;
            }
            greeted = true; // HELLO only comes first
            if (kind == TcpFrames.CREDIT || kind == TcpFrames.CANCEL) {
                streamControl(in, kind, id, length - TcpFrames.FRAME_HEADER_BYTES);
                headStartedMillis = NOT_IN_HEAD;
                inFlight.release();
                return true;
            }
            boolean compressed = TcpFrames.isCompressed(kind);
            if (TcpFrames.kindOf(kind) != TcpFrames.CALL && kind != TcpFrames.STREAM) {
                throw new TcpFrames.FrameException(
                        id,
                        "unexpected frame kind " + kind + ": a client sends calls (1), streams (5), credits (7),"
                                + " cancels (8), and HELLO (16) first");
            }
            if (compressed && !lz4) {
                throw new TcpFrames.FrameException(
                        id, "a compressed call on a connection whose HELLO did not agree on lz4");
            }
            if (id == 0) {
                throw new TcpFrames.FrameException(0, "request id 0 is reserved");
            }
            if (ids.contains(id) || streams.has(id)) {
                throw new TcpFrames.FrameException(id, "request id " + id + " is already in flight on this connection");
            }
            int payload = length - TcpFrames.FRAME_HEADER_BYTES;
            TcpFrames.Headers headers = TcpFrames.readHeaders(in, id, payload);
            headStartedMillis = NOT_IN_HEAD; // the body's pace is min-request-data-rate's
            int bodyLength = payload - headers.bytes();
            boolean signed = macs.isEmpty()
                    || macs.get()
                            .looksSigned(
                                    headers.values().getOrDefault(RequestMac.MAC_HEADER, ""),
                                    headers.values().getOrDefault(RequestMac.TIMESTAMP_HEADER, ""),
                                    headers.values().getOrDefault(RequestMac.NONCE_HEADER, ""));
            int limit = signed ? maxRequestBytes : maxUnauthenticatedRequestBytes;
            if (bodyLength > limit) {
                counters.countTooLarge(signed);
                throw new TcpFrames.FrameException(
                        id,
                        "call body of " + bodyLength + " bytes is over the limit of " + limit
                                + (signed ? "" : " bytes for calls without request MAC headers"));
            }
            Optional<BoundedBodies.Body> admitted = bodies.admit(bodyLength);
            if (admitted.isEmpty()) {
                in.skipNBytes(bodyLength);
                ids.add(id);
                String busy = "busy: this node holds as many request bodies as it may; retry";
                long retryAfterMs = BoundedBodies.RETRY_AFTER_SECONDS * 1000;
                send(
                        kind == TcpFrames.STREAM ? TcpFrames.END : TcpFrames.REFUSED,
                        id,
                        kind == TcpFrames.STREAM
                                ? TcpFrames.end(Optional.of(ErrorCode.BUSY), retryAfterMs, busy)
                                : TcpFrames.refusal(ErrorCode.BUSY, retryAfterMs, busy));
                ids.remove(id);
                inFlight.release();
                return true;
            }
            BoundedBodies.Body body = admitted.get();
            try {
                readBody(in, body.bytes(), start);
            } catch (IOException | RuntimeException e) {
                body.close();
                throw e;
            }
            Map<String, String> values = headers.values();
            if (kind == TcpFrames.STREAM) {
                try (body) {
                    // a stream's reads and acks are the node's own calls, each timed from its start
                    streams.open(id, values, body.bytes(), context(values, body.bytes(), CallContext.NOT_ARRIVED));
                }
                inFlight.release(); // a stream is bounded by the streams' own limit, not by the calls'
                return true;
            }
            ids.add(id);
            Thread.ofVirtual()
                    .name("switchboard-tcp-call")
                    .start(() -> call(id, values, compressed ? decompressed(id, body, limit, signed) : body, start));
            return true;
        }

        /** A CREDIT or CANCEL frame (the length is already checked against the limit). */
        private void streamControl(DataInputStream in, byte kind, int id, int payloadLength)
                throws IOException, TcpFrames.FrameException {
            int expected = kind == TcpFrames.CREDIT ? 8 : 0;
            if (payloadLength != expected) {
                throw new TcpFrames.FrameException(
                        id,
                        (kind == TcpFrames.CREDIT ? "a credit" : "a cancel") + " frame carries " + expected
                                + " payload bytes, not " + payloadLength);
            }
            if (kind == TcpFrames.CANCEL) {
                streams.cancel(id);
                return;
            }
            byte[] payload = new byte[8];
            in.readFully(payload);
            streams.credit(id, TcpFrames.credit(id, payload));
        }

        /** Answers the client's HELLO with the features this server agrees to (lz4). */
        private void hello(DataInputStream in, int id, int length) throws IOException, TcpFrames.FrameException {
            if (greeted || id != 0 || length > TcpFrames.MAX_HELLO_BYTES) {
                throw new TcpFrames.FrameException(
                        id, "HELLO comes once, first, with id 0 and at most " + TcpFrames.MAX_HELLO_BYTES + " bytes");
            }
            greeted = true;
            byte[] payload = in.readNBytes(length);
            if (payload.length != length) {
                throw new EOFException("connection closed inside a frame");
            }
            lz4 = TcpFrames.features(payload).contains(TcpFrames.LZ4);
            send(TcpFrames.HELLO, 0, TcpFrames.hello(lz4 ? List.of(TcpFrames.LZ4) : List.of()));
        }

        /**
         * The decompressed body of a compressed call (the compressed one given back to the budget), or null after
         * answering REFUSED: over the limit, the budget spent, or not one LZ4 frame declaring its size.
         */
        private BoundedBodies.@Nullable Body decompressed(
                int id, BoundedBodies.Body compressed, int limit, boolean signed) {
            try (compressed) {
                long size = Lz4Frames.declaredSize(compressed.bytes());
                if (size < 0) {
                    throw new IOException("a compressed call declares its size in the LZ4 frame header");
                }
                if (size > limit) {
                    counters.countTooLarge(signed);
                    refuse(
                            id,
                            ErrorCode.PAYLOAD_TOO_LARGE,
                            -1,
                            "call body of " + size + " bytes is over the limit of " + limit
                                    + (signed ? "" : " bytes for calls without request MAC headers"));
                    return null;
                }
                Optional<BoundedBodies.Body> admitted = bodies.admit((int) size);
                if (admitted.isEmpty()) {
                    refuse(
                            id,
                            ErrorCode.BUSY,
                            BoundedBodies.RETRY_AFTER_SECONDS * 1000,
                            "busy: this node holds as many request bodies as it may; retry");
                    return null;
                }
                BoundedBodies.Body plain = admitted.get();
                try {
                    Lz4Frames.decompress(compressed.bytes(), plain.bytes());
                } catch (IOException | RuntimeException e) {
                    plain.close();
                    throw e;
                }
                counters.countLz4Request();
                return plain;
            } catch (IOException | RuntimeException e) {
                counters.countUnreadable();
                refuse(id, ErrorCode.INVALID_REQUEST, -1, "invalid request: corrupt LZ4 body (" + e.getMessage() + ")");
                return null;
            }
        }

        private void refuse(int id, ErrorCode code, long retryAfterMs, String text) {
            try {
                send(TcpFrames.REFUSED, id, TcpFrames.refusal(code, retryAfterMs, text));
            } finally {
                ids.remove(id);
                inFlight.release();
            }
        }

        /** Reads a body, cutting off a sender slower than min-request-data-rate after the first second. */
        private void readBody(DataInputStream in, byte[] into, long start) throws IOException {
            int count = 0;
            while (count < into.length) {
                int read = in.read(into, count, into.length - count);
                if (read < 0) {
                    throw new EOFException("connection closed inside a frame");
                }
                count += read;
                long elapsed = clock.millis() - start;
                long rate = limits.minRequestDataRate();
                if (rate > 0 && elapsed > GRACE_MS && count * 1e3 / elapsed < rate) {
                    counters.countSlow();
                    throw new SocketTimeoutException("frame arrives slower than " + rate + " bytes/s");
                }
            }
        }

        /** Runs one call; {@code arrived} is when its frame's first byte was read (the node's clock). */
        private void call(int id, Map<String, String> headers, BoundedBodies.@Nullable Body body, long arrived) {
            if (body == null) {
                return; // refused while decompressing
            }
            try (body) {
                byte[] bytes = body.bytes();
                CallOutcome outcome = dispatcher.dispatch(bytes, context(headers, bytes, arrived));
                switch (outcome) {
                    case CallOutcome.Reply reply -> {
                        reply(id, reply.body());
                    }
                    case CallOutcome.Invalid invalid ->
                        send(
                                TcpFrames.REFUSED,
                                id,
                                TcpFrames.refusal(
                                        ErrorCode.INVALID_REQUEST, -1, "invalid request: " + invalid.reason()));
                }
            } catch (RuntimeException e) {
                LOGGER.error("tcp call failed remote={}", remote, e);
                send(TcpFrames.REFUSED, id, TcpFrames.refusal(ErrorCode.INTERNAL, -1, "internal error"));
            } finally {
                ids.remove(id);
                inFlight.release();
            }
        }

        /** A REPLY, compressed when HELLO agreed on LZ4, it is large enough and compressing pays. */
        private void reply(int id, ByteBuffer answer) {
            int length = answer.remaining();
            if (lz4 && replies.compress(length)) {
                byte[] compressed = Lz4Frames.compress(answer);
                if (replies.paid(length, compressed.length)) {
                    counters.countLz4Reply(); // before the send: a client that has the reply may read the count
                    send((byte) (TcpFrames.REPLY | TcpFrames.COMPRESSED), id, compressed);
                    return;
                }
            }
            send(TcpFrames.REPLY, id, answer);
        }

        /**
         * A stream's frame; a BATCH's ReadResponse (after its seq and cursor) is compressed as a REPLY would be: when
         * HELLO agreed on LZ4, it is large enough and compressing pays.
         */
        private void sendStreamFrame(byte kind, int id, byte[] prefix, ByteBuffer payload) {
            int length = payload.remaining();
            if (kind == TcpFrames.BATCH && lz4 && replies.compress(length)) {
                byte[] compressed = Lz4Frames.compress(payload);
                if (replies.paid(length, compressed.length)) {
                    counters.countLz4Reply();
                    send((byte) (TcpFrames.BATCH | TcpFrames.COMPRESSED), id, prefix, ByteBuffer.wrap(compressed));
                    return;
                }
            }
            send(kind, id, prefix, payload);
        }

        private CallContext context(Map<String, String> headers, byte[] body, long arrived) {
            Map<String, List<String>> lists = new ConcurrentHashMap<>();
            headers.forEach((name, value) -> lists.put(name, List.of(value)));
            return new CallContext(
                    lists,
                    remote,
                    headers.containsKey(RequestMac.MAC_HEADER) ? HexFormat.of().formatHex(RequestMac.sha256(body)) : "",
                    arrived);
        }

        private void send(byte kind, int id, byte[] payload) {
            send(kind, id, ByteBuffer.wrap(payload));
        }

        private void send(byte kind, int id, ByteBuffer payload) {
            send(kind, id, new byte[0], payload);
        }

        /** One frame whose payload is {@code prefix} then {@code payload}. */
        private void send(byte kind, int id, byte[] prefix, ByteBuffer payload) {
            byte[] header = TcpFrames.frameHeader(kind, id, prefix.length + payload.remaining());
            OutputStream stream = out;
            if (stream == null) {
                return;
            }
            writeLock.lock();
            try {
                writeStartedMillis = clock.millis();
                stream.write(header);
                stream.write(prefix);
                if (payload.hasArray()) {
                    stream.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
                } else {
                    byte[] copy = new byte[payload.remaining()];
                    payload.duplicate().get(copy);
                    stream.write(copy);
                }
                stream.flush();
            } catch (IOException e) {
                LOGGER.debug("tcp answer not delivered remote={} error={}", remote, e.toString());
                closeSocket();
            } finally {
                writeStartedMillis = NOT_WRITING;
                writeLock.unlock();
            }
        }

        private void goAway(int id, String text) {
            if (out != null) {
                send(TcpFrames.GOAWAY, id, TcpFrames.text(text));
            }
        }

        /**
         * Lets the GOAWAY reach the client: half-closes, then discards what the client still sends (at most
         * {@link #LINGER_BYTES} bytes for at most {@link #LINGER}) before the close. Closing with unread bytes in
         * the socket would send a reset, which can destroy the GOAWAY in the client's buffers and fail its write of
         * the rest of the offending frame with a broken pipe instead of the reason.
         */
        private void lingerAfterGoAway() {
            try {
                socket.shutdownOutput();
                socket.setSoTimeout((int) LINGER.toMillis());
                java.io.InputStream raw = socket.getInputStream();
                byte[] sink = new byte[8192];
                long left = LINGER_BYTES;
                long deadline = clock.millis() + LINGER.toMillis();
                while (left > 0 && clock.millis() < deadline) {
                    int read = raw.read(sink, 0, (int) Math.min(sink.length, left));
                    if (read < 0) {
                        return;
                    }
                    left -= read;
                }
            } catch (IOException | UnsupportedOperationException e) {
                // TLS sockets cannot half-close, or the client is gone: close at once
            }
        }

        void stopReading() {
            reading = false;
            try {
                socket.shutdownInput();
            } catch (IOException | UnsupportedOperationException e) {
                // TLS sockets cannot half-close; closing after the drain does
            }
        }

        /**
         * Waits until no call is in flight (every permit is back) and no stream is open, at most until
         * {@code deadline}, the clock's.
         */
        void awaitIdle(long deadline) {
            long remaining = deadline - clock.millis();
            try {
                if (inFlight.tryAcquire(MAX_IN_FLIGHT, Math.max(0, remaining), TimeUnit.MILLISECONDS)) {
                    inFlight.release(MAX_IN_FLIGHT);
                    streams.awaitEmpty(Math.max(0, deadline - clock.millis()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        OptionalLong writeStarted() {
            long started = writeStartedMillis;
            return started == NOT_WRITING ? OptionalLong.empty() : OptionalLong.of(started);
        }

        void closeSocket() {
            if (connections.remove(this)) {
                connectionSlots.release();
            }
            try {
                socket.close();
            } catch (IOException e) {
                LOGGER.debug("tcp close: {}", e.toString());
            }
        }
    }

    /** For tests: connections open now. */
    int connectionCount() {
        return new ArrayList<>(connections).size();
    }
}
