package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.core.session.StreamWindow;
import dev.switchboard.core.session.Transition;
import dev.switchboard.protocol.EncodeBuffer;
import dev.switchboard.protocol.EncodedSize;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.tcp.TcpFrames;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streamed reads of one TCP connection (docs/protocol.md, "Streaming delivery"): for each STREAM frame a pump, on
 * a virtual thread of this API node, that keeps a read outstanding against the backend on the client's behalf and
 * pushes every non-empty batch as a BATCH frame, up to the stream's credit window; CREDIT frames return credit,
 * CANCEL ends the stream, and an END frame always closes it.
 *
 * <p>Implementation notes. The backend's read protocol allows one unacknowledged batch per session, so the pump
 * acknowledges each batch on the backend before it pushes it, and pushes the batch with the cursor that
 * acknowledgement answered; the acknowledgement rides on the read of the next batch, which answers at once, so while
 * events keep coming a batch costs one backend call (see {@code pump}). That acknowledgement moves nothing durable (the backend never commits offsets; the
 * position is the client's cursor, which moves only when the application acknowledges the batch), but it puts the
 * session ahead of the client: so a stream's session serves that stream only, and every end of a stream ends its
 * session (the pump disposes it, unless it is gone already); the client resumes with a new session from its cursor.
 * The first read runs through the node's whole call chain (request MAC, tracing, metrics, audit), which
 * authenticates the stream; later reads through the metered calls and the per-principal bound
 * ({@code max-calls-per-principal}, as polled reads). A BUSY answer after the first read (that bound, the
 * backend's) is retried after a wait instead of ending the stream, for at most {@link #MAX_BUSY_MS} in a row. Each pump waits on the backend
 * through its own {@link InFlightCalls}, so a cancel ends its long poll at once without interrupting a thread.
 *
 * <p>Bounds: at most {@link #MAX_STREAMS} streams per connection (past it: END BUSY); a window of at most the node's
 * {@code max-stream-window} batches; per pump in memory at most the batch being pushed and the one read after it,
 * written to the socket (whose writer
 * the server's watchdog cuts off when the client stops reading).
 */
public final class TcpStreams {
    private static final Logger LOGGER = LoggerFactory.getLogger(TcpStreams.class);

    /** Streams open at once on one connection. */
    static final int MAX_STREAMS = 128;

    /**
     * How long each of a pump's reads long-polls (the backend cuts it to its own {@code maxWaitMs}); the read call
     * of a STREAM frame gives the batch size, its wait is not used.
     */
    static final int MAX_POLL_MS = 5_000;

    private static final long BUSY_RETRY_AFTER_MS = 1_000;

    /** A pump's first wait after a BUSY answer from the backend (or the node's own bounds). */
    static final long MIN_BUSY_WAIT_MS = 50;
    /** Its longest single wait. */
    static final long MAX_BUSY_WAIT_MS = 1_000;
    /** Waits for BUSY in a row after which the stream ends BUSY (the client opens another later). */
    static final long MAX_BUSY_MS = 30_000;

    @FunctionalInterface
    private interface BackendCall<T> {
        T run() throws TException;
    }

    /**
     * How a pump calls the backend. {@code authenticated}: the node's whole chain (the first read); {@code trusted}:
     * without the request MAC check but with the per-principal bound (later reads, acks, the dispose). Each gets the
     * waits to track its calls in.
     */
    public record Calls(
            BiFunction<CallContext, InFlightCalls, Switchboard.Iface> authenticated,
            BiFunction<CallContext, InFlightCalls, Switchboard.Iface> trusted,
            InFlightCalls nodeWaits,
            int maxWindow,
            int maxRequestBytes) {}

    /** Writes one frame to the connection; never throws (a failed write closes the connection). */
    interface Sender {
        void send(byte kind, int id, byte[] prefix, ByteBuffer payload);
    }

    private final Calls calls;
    private final Sender sender;
    private final ApiCounters counters;
    private final String remote;
    private final Map<Integer, Pump> streams = new ConcurrentHashMap<>();
    /** Streams removed whose END is being written; guarded by {@code streams}' monitor. */
    private int ending;

    TcpStreams(Calls calls, Sender sender, ApiCounters counters, String remote) {
        this.calls = calls;
        this.sender = sender;
        this.counters = counters;
        this.remote = remote;
    }

    boolean has(int id) {
        return streams.containsKey(id);
    }

    boolean isEmpty() {
        return streams.isEmpty();
    }

    /** Waits until every stream ended and its END was written, at most {@code millis}. */
    void awaitEmpty(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (streams) {
            while (!streams.isEmpty() || ending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                streams.wait(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** A STREAM frame: starts its pump, or ends the stream at once (END) when the frame's content is refused. */
    void open(int id, Map<String, String> headers, byte[] body, CallContext context) {
        Optional<Integer> window = window(headers.get(TcpFrames.WINDOW_HEADER));
        if (window.isEmpty()) {
            end(
                    id,
                    ErrorCode.INVALID_REQUEST,
                    -1,
                    "a stream needs header '" + TcpFrames.WINDOW_HEADER
                            + "': its credit window, a whole number of batches from 1");
            return;
        }
        Optional<ReadRequest> read = readCall(body);
        if (read.isEmpty()) {
            end(id, ErrorCode.INVALID_REQUEST, -1, "a stream opens with one Thrift compact 'read' call message");
            return;
        }
        if (read.get().getSeq() < 1) {
            end(id, ErrorCode.INVALID_REQUEST, -1, "a stream's first batch seq is at least 1");
            return;
        }
        if (streams.size() >= MAX_STREAMS) {
            end(
                    id,
                    ErrorCode.BUSY,
                    BUSY_RETRY_AFTER_MS,
                    "busy: this connection has " + MAX_STREAMS + " streams open; retry");
            return;
        }
        Pump pump = new Pump(id, read.get(), Math.min(window.get(), calls.maxWindow()), context);
        streams.put(id, pump);
        counters.countStreamOpened();
        Thread.ofVirtual().name("switchboard-tcp-stream").start(pump::run);
    }

    /** A CREDIT frame. A credit for a stream that ended meanwhile is dropped (its END is on its way). */
    void credit(int id, long seq) throws TcpFrames.FrameException {
        Pump pump = streams.get(id);
        if (pump != null) {
            pump.credit(seq);
        }
    }

    /** A CANCEL frame; one for a stream that ended meanwhile is dropped. */
    void cancel(int id) {
        Pump pump = streams.get(id);
        if (pump != null) {
            pump.stop(Optional.empty(), -1, "cancelled by the client");
        }
    }

    /** Ends every stream: the connection is gone (no END can reach the client) or the node is shutting down. */
    void stopAll(String reason) {
        for (Pump pump : streams.values()) {
            pump.stop(Optional.of(ErrorCode.UNAVAILABLE), -1, reason);
        }
    }

    private void end(int id, ErrorCode code, long retryAfterMs, String text) {
        sender.send(TcpFrames.END, id, TcpFrames.end(Optional.of(code), retryAfterMs, text), ByteBuffer.allocate(0));
    }

    private static Optional<Integer> window(@Nullable String value) {
        if (value == null || !value.matches("[0-9]{1,9}")) {
            return Optional.empty();
        }
        int window = Integer.parseInt(value);
        return window < 1 ? Optional.empty() : Optional.of(window);
    }

    /** The request of one Thrift compact {@code read} call message with nothing after it. */
    private Optional<ReadRequest> readCall(byte[] body) {
        try {
            TMemoryInputTransport transport = new TMemoryInputTransport(
                    TConfiguration.custom()
                            .setMaxMessageSize(Math.max(1, calls.maxRequestBytes()))
                            .build(),
                    body);
            TProtocol in = new TCompactProtocol(transport);
            TMessage message = in.readMessageBegin();
            if (message.type != TMessageType.CALL || !message.name.equals("read")) {
                return Optional.empty();
            }
            Switchboard.read_args args = new Switchboard.read_args();
            args.read(in);
            in.readMessageEnd();
            if (transport.getBytesRemainingInBuffer() > 0 || !args.isSetRequest()) {
                return Optional.empty();
            }
            return Optional.of(args.getRequest());
        } catch (TException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** One stream's pump; its window is guarded by {@code lock}. */
    private final class Pump {
        private final int id;
        private final ReadRequest first;
        private final CallContext context;
        private final InFlightCalls waits = new InFlightCalls();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition room = lock.newCondition();
        private final Switchboard.Iface authenticatedCalls;
        private final Switchboard.Iface trusted;
        private StreamWindow.State window;
        /** A call of the stream got past the request MAC check: the stream may release its session. */
        private volatile boolean authenticated;

        private Optional<ErrorCode> stopCode = Optional.empty();
        private long stopRetryAfterMs = -1;
        private String stopText = "";

        Pump(int id, ReadRequest first, int window, CallContext context) {
            this.id = id;
            this.first = first;
            this.context = context;
            this.window = StreamWindow.open(window, first.getSeq() - 1);
            this.authenticatedCalls = calls.authenticated().apply(context, waits);
            this.trusted = calls.trusted().apply(context, waits);
        }

        void run() {
            Optional<ErrorCode> code = Optional.empty();
            long retryAfterMs = -1;
            String text = "";
            try {
                pump();
            } catch (SwitchboardError e) {
                code = Optional.of(ErrorCode.fromThrift(e.getCode()));
                retryAfterMs = e.isSetRetryAfterMs() ? e.getRetryAfterMs() : -1;
                text = e.getMessage() == null ? code.get().name() : e.getMessage();
            } catch (TException | RuntimeException e) {
                LOGGER.error("tcp stream failed remote={} session={}", remote, first.getSessionId(), e);
                code = Optional.of(ErrorCode.INTERNAL);
                text = "internal error";
            }
            lock.lock();
            try {
                if (window instanceof StreamWindow.Ended) {
                    code = stopCode; // stopped from outside: that is the reason, not the call it cut short
                    retryAfterMs = stopRetryAfterMs;
                    text = stopText;
                } else {
                    window = StreamWindow.apply(window, new StreamWindow.End()).state();
                }
            } finally {
                lock.unlock();
            }
            if (authenticated && code.filter(c -> c == ErrorCode.SESSION_LOST).isEmpty()) {
                dispose();
            }
            synchronized (streams) {
                streams.remove(id); // before its END: the client may use the id again once it has the END
                ending++;
            }
            sender.send(TcpFrames.END, id, TcpFrames.end(code, retryAfterMs, text), ByteBuffer.allocate(0));
            synchronized (streams) {
                ending--;
                streams.notifyAll();
            }
            LOGGER.debug(
                    "tcp stream ended remote={} session={} code={}",
                    remote,
                    first.getSessionId(),
                    code.map(ErrorCode::name).orElse("asked"));
        }

        /**
         * Reads, acknowledges and pushes until the stream ends. A batch's acknowledgement rides on the read of the
         * next one, which answers at once ({@code maxWaitMs} 0): while events keep coming, each batch costs one
         * backend call; once one of those reads is empty, the next read long-polls. A node older than ackSeq
         * (OUT_OF_SEQUENCE on a riding read) gets its acks as calls of their own from then on.
         */
        private void pump() throws TException {
            long seq = first.getSeq();
            boolean ridesAck = true;
            while (true) {
                // the stream's own wait is not the client's business: every long poll waits MAX_POLL_MS
                long at = seq;
                ReadResponse batch =
                        call(() -> reads().read(first.deepCopy().setSeq(at).setMaxWaitMs(MAX_POLL_MS)));
                while (batch.getEventsSize() > 0) {
                    // batch seq is read and not acknowledged; its cursor comes with the acknowledgement
                    long read = seq;
                    ReadResponse next;
                    String cursor;
                    if (ridesAck) {
                        try {
                            next = call(() -> trusted.read(first.deepCopy()
                                    .setSeq(read + 1)
                                    .setAckSeq(read)
                                    .setMaxWaitMs(0)));
                        } catch (SwitchboardError e) {
                            if (ErrorCode.fromThrift(e.getCode()) != ErrorCode.OUT_OF_SEQUENCE) {
                                throw e;
                            }
                            LOGGER.info("the backend does not take an ack on a read session={}", first.getSessionId());
                            ridesAck = false;
                            continue;
                        }
                        if (!next.isSetAck()) {
                            throw new TException("the backend read batch " + (read + 1) + " without the ack on it");
                        }
                        cursor = next.getAck().getCursor();
                    } else {
                        cursor = call(() -> trusted.ack(new AckRequest(first.getSessionId(), read)))
                                .getCursor();
                        next = new ReadResponse(read + 1, java.util.List.of()); // nothing read ahead
                    }
                    batch.unsetAck(); // the ack of the batch before, which rode on this read: not the client's
                    if (!awaitRoom() || !push(read, cursor, batch)) {
                        return;
                    }
                    seq = read + 1;
                    batch = next;
                }
                if (!awaitRoom()) {
                    return;
                }
            }
        }

        /** The calls a read goes through: the whole chain until one was answered (which authenticated the stream). */
        private Switchboard.Iface reads() {
            return authenticated ? trusted : authenticatedCalls;
        }

        /**
         * One backend call; once the stream is authenticated, BUSY is retried after its retry-after (at least
         * {@link #MIN_BUSY_WAIT_MS}, doubling up to {@link #MAX_BUSY_WAIT_MS}), for at most {@link #MAX_BUSY_MS} of
         * waits in a row, and ends the stream after that. A stream stopped while it waits ends at once.
         */
        private <T> T call(BackendCall<T> call) throws TException {
            long waited = 0;
            long wait = MIN_BUSY_WAIT_MS;
            while (true) {
                try {
                    T answer = call.run();
                    authenticated = true;
                    return answer;
                } catch (SwitchboardError e) {
                    ErrorCode refused = ErrorCode.fromThrift(e.getCode());
                    // past the MAC check unless refused by it (the stream may then release the session)
                    authenticated |= refused != ErrorCode.UNAUTHENTICATED && refused != ErrorCode.BUSY;
                    // the first read's BUSY may come before its MAC was checked, and its nonce cannot be sent again:
                    // that one ends the stream (END BUSY with retry-after), and the client opens it again
                    if (refused != ErrorCode.BUSY || !authenticated || waited >= MAX_BUSY_MS) {
                        throw e;
                    }
                    long asked = e.isSetRetryAfterMs() ? e.getRetryAfterMs() : 0;
                    long pause = Math.min(MAX_BUSY_WAIT_MS, Math.max(wait, asked));
                    counters.countStreamBusyRetry();
                    if (!pause(pause)) {
                        throw e; // stopped meanwhile: run() reports the stop's reason
                    }
                    waited += pause;
                    wait = Math.min(MAX_BUSY_WAIT_MS, wait * 2);
                }
            }
        }

        /** Waits {@code millis} unless the stream ends first; false when it ended. */
        private boolean pause(long millis) {
            lock.lock();
            try {
                long left = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
                while (left > 0 && !(window instanceof StreamWindow.Ended)) {
                    left = room.awaitNanos(left);
                }
                return !(window instanceof StreamWindow.Ended);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }

        /** The session is ahead of the client (see the class notes): release it now rather than at its TTL. */
        private void dispose() {
            try {
                calls.trusted().apply(context, calls.nodeWaits()).dispose(new DisposeRequest(first.getSessionId()));
            } catch (TException | RuntimeException e) {
                LOGGER.debug("stream's session not disposed session={} error={}", first.getSessionId(), e.toString());
            }
        }

        /** Waits while the window is full; false once the stream ended. */
        private boolean awaitRoom() throws TException {
            lock.lock();
            try {
                while (window instanceof StreamWindow.Stalled) {
                    room.await();
                }
                return !(window instanceof StreamWindow.Ended);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }

        /** Sends batch {@code seq}; false when the stream ended meanwhile (the batch is dropped with its session). */
        private boolean push(long seq, String cursor, ReadResponse response) throws TException {
            lock.lock();
            try {
                Transition<StreamWindow.State, StreamWindow.Effect> step =
                        StreamWindow.apply(window, new StreamWindow.Push(seq));
                if (!step.effects().contains(new StreamWindow.Send(seq))) {
                    return false; // ended (awaitRoom saw room, and only this thread pushes)
                }
                window = step.state();
            } finally {
                lock.unlock();
            }
            EncodeBuffer buffer = new EncodeBuffer(EncodedSize.ofEvents(response.getEvents()));
            response.write(new TCompactProtocol(buffer));
            sender.send(
                    TcpFrames.BATCH,
                    id,
                    TcpFrames.batchPrefix(seq, cursor),
                    ByteBuffer.wrap(buffer.array(), 0, buffer.length()));
            counters.countStreamBatch();
            return true;
        }

        void credit(long seq) throws TcpFrames.FrameException {
            lock.lock();
            try {
                Transition<StreamWindow.State, StreamWindow.Effect> step =
                        StreamWindow.apply(window, new StreamWindow.Credit(seq));
                for (StreamWindow.Effect effect : step.effects()) {
                    if (effect instanceof StreamWindow.Violation violation) {
                        throw new TcpFrames.FrameException(id, violation.reason());
                    }
                    if (effect instanceof StreamWindow.Resume) {
                        room.signalAll();
                    }
                }
                window = step.state();
            } finally {
                lock.unlock();
            }
        }

        void stop(Optional<ErrorCode> code, long retryAfterMs, String text) {
            lock.lock();
            try {
                if (window instanceof StreamWindow.Ended) {
                    return;
                }
                window = StreamWindow.apply(window, new StreamWindow.End()).state();
                stopCode = code;
                stopRetryAfterMs = retryAfterMs;
                stopText = text;
                room.signalAll();
            } finally {
                lock.unlock();
            }
            waits.close(); // a read or ack waiting on the backend is answered at once
        }
    }
}
