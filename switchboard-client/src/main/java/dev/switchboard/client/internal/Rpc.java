package dev.switchboard.client.internal;

import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The six session calls, typed: each request is encoded once and sent through the {@link Retrier} until it has
 * an answer. Errors come out as {@code SwitchboardClientException}s carrying the server's code; lost sessions
 * are for the caller to handle. Thread-safe.
 */
final class Rpc implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Rpc.class);

    static final byte[] NO_KEY = new byte[0];

    /**
     * How much longer than the request timeout a commit (or a write carrying one) may take: the backend waits for
     * Kafka up to its max-wait (by default as long as the request timeout) and then answers what happened, and the
     * API node waits a little longer for that answer (its {@code CallDeadlines.COMMIT_MARGIN}, 3 s). Waiting longer
     * still here lets that answer, not a timeout of this client's own, say why a commit failed.
     */
    static final Duration COMMIT_EXTRA_TIME = Duration.ofSeconds(6);

    private final Exchanger exchanger;
    private final Retrier retrier;
    /**
     * Each open session's request MAC key, from its allocate answer (empty when the server sends none). A session
     * missing here was lost or disposed: its calls fail as SESSION_LOST here instead of going out unsigned, which a
     * secured server would refuse as UNAUTHENTICATED (not retriable) and end the publisher or subscriber.
     */
    private final Map<String, byte[]> macKeys;

    Rpc(Exchanger exchanger, Retrier retrier) {
        this(exchanger, retrier, new ConcurrentHashMap<>());
    }

    private Rpc(Exchanger exchanger, Retrier retrier, Map<String, byte[]> macKeys) {
        this.exchanger = exchanger;
        this.retrier = retrier;
        this.macKeys = macKeys;
    }

    /** The same transport and session keys, retrying within another budget (a publisher's or subscriber's). */
    Rpc withBudget(java.time.Duration budget) {
        return new Rpc(exchanger, retrier.withBudget(budget), macKeys);
    }

    /** The same keys and retries for one more session, over the transport's next API node ({@link Exchanger#spread}). */
    Rpc spread() {
        return new Rpc(exchanger.spread(), retrier, macKeys);
    }

    Retrier retrier() {
        return retrier;
    }

    /**
     * Allocates a session. DRAINING is retried like UNAVAILABLE: a node that started draining after taking the
     * request refuses it, and the next attempt goes to a node that still takes sessions.
     */
    AllocateResponse allocate(AllocateRequest request) throws InterruptedException {
        ThriftCall.Exchange<AllocateResponse> exchange = ThriftCall.ALLOCATE.open(request);
        String traceparent = Traceparent.create();
        AllocateResponse response = retrier.run(
                exchange.name(),
                () -> attempt(exchange, Duration.ZERO, null, traceparent),
                code -> code.retriable() || code == ErrorCode.DRAINING);
        opened(response.getSessionId(), response.isSetMacKey() ? response.getMacKey() : NO_KEY);
        return response;
    }

    /** Registers a session this client may call, with its request MAC key ({@link #NO_KEY} when unsigned). */
    void opened(String sessionId, byte[] macKey) {
        macKeys.put(sessionId, macKey);
    }

    /** A read long-polls up to {@code wait}, so its answer may take that much longer. */
    ReadResponse read(ReadRequest request, Duration wait) throws InterruptedException {
        return call(ThriftCall.READ, request, wait, request.getSessionId());
    }

    AckResponse ack(AckRequest request) throws InterruptedException {
        return call(ThriftCall.ACK, request, Duration.ZERO, request.getSessionId());
    }

    /** A write, given {@link #COMMIT_EXTRA_TIME} when a commit rides on it. */
    WriteResponse write(WriteRequest request) throws InterruptedException {
        return call(
                ThriftCall.WRITE,
                request,
                request.isCommit() ? COMMIT_EXTRA_TIME : Duration.ZERO,
                request.getSessionId());
    }

    CommitResponse commit(CommitRequest request) throws InterruptedException {
        return call(ThriftCall.COMMIT, request, COMMIT_EXTRA_TIME, request.getSessionId());
    }

    /** Whether streamed reads are possible: every API node is reached over the TCP transport. */
    boolean streams() {
        return exchanger.streams();
    }

    /** A streamed read just opened: what the client sends it, and where its batches arrive. */
    record OpenStream(StreamLink link, StreamInbox inbox) {}

    /**
     * Opens a streamed read of {@code request} (its session, first batch, batch size) with a credit window of
     * {@code window} batches. A STREAM frame that could not be sent is sent again like a lost call, signed afresh
     * and with an inbox of its own; how the stream ends arrives in its inbox.
     */
    OpenStream stream(ReadRequest request, int window) throws InterruptedException {
        byte[] call = ThriftCall.READ.open(request).request();
        String traceparent = Traceparent.create();
        return retrier.run("stream", () -> {
            Map<String, String> headers = new HashMap<>(macHeaders(request.getSessionId(), call));
            headers.put(Traceparent.HEADER, traceparent);
            StreamInbox inbox = new StreamInbox(window);
            return new OpenStream(exchanger.stream(call, headers, window, inbox), inbox);
        });
    }

    /** Releases a session with one attempt: an unanswered dispose is harmless, the session expires by itself. */
    void disposeQuietly(String sessionId) {
        ThriftCall.Exchange<?> exchange = ThriftCall.DISPOSE.open(new DisposeRequest(sessionId));
        try {
            attempt(exchange, Duration.ZERO, sessionId, Traceparent.create());
            LOGGER.debug("session disposed session={}", sessionId);
        } catch (TransientFailure | RuntimeException e) {
            LOGGER.debug("dispose failed; the session will expire session={} error={}", sessionId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            macKeys.remove(sessionId);
        }
    }

    /** {@code sessionId} names the session whose MAC key signs the call. */
    private <Q, R> R call(ThriftCall<Q, R> call, Q request, Duration extraTime, String sessionId)
            throws InterruptedException {
        ThriftCall.Exchange<R> exchange = call.open(request);
        String traceparent = Traceparent.create(); // one trace per call: its retries are the same call
        return retrier.run(call.name(), () -> attempt(exchange, extraTime, sessionId, traceparent));
    }

    /** {@code sessionId} names the session whose MAC key signs the call; null for allocate. */
    private <R> R attempt(
            ThriftCall.Exchange<R> exchange, Duration extraTime, @Nullable String sessionId, String traceparent)
            throws TransientFailure, InterruptedException {
        Map<String, String> headers = new HashMap<>(macHeaders(sessionId, exchange.request()));
        headers.put(Traceparent.HEADER, traceparent);
        byte[] answer = exchanger.exchange(exchange.request(), extraTime, headers);
        try {
            return exchange.decode(answer);
        } catch (SwitchboardError e) {
            SwitchboardException error = SwitchboardException.fromThrift(e);
            if (sessionId != null && error.code() == ErrorCode.SESSION_LOST) {
                // The session is gone; its replacement gets a key of its own. A DRAINING session keeps its key:
                // it still answers the commit a writer sends before it moves on.
                macKeys.remove(sessionId);
            }
            throw error;
        } catch (TApplicationException e) {
            throw applicationError(exchange.name(), e);
        } catch (TException e) {
            throw new TransientFailure("unreadable answer to " + exchange.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The request MAC headers for one attempt (a fresh timestamp and nonce each time, so a retry is no replay);
     * none when the session has no MAC key.
     */
    private Map<String, String> macHeaders(@Nullable String sessionId, byte[] body) {
        if (sessionId == null) {
            return Map.of();
        }
        byte[] key = macKeys.get(sessionId);
        if (key == null) {
            // Lost (another call on it met SESSION_LOST) or disposed while this call was retrying.
            throw SwitchboardException.of(
                    ErrorCode.SESSION_LOST, "session " + sessionId + " was lost or disposed on this client");
        }
        if (key.length == 0) {
            return Map.of();
        }
        long timestamp = System.currentTimeMillis();
        String nonce = RequestMac.nonce();
        return Map.of(
                RequestMac.TIMESTAMP_HEADER,
                Long.toString(timestamp),
                RequestMac.NONCE_HEADER,
                nonce,
                RequestMac.MAC_HEADER,
                RequestMac.sign(key, sessionId, timestamp, nonce, body));
    }

    /** The server's Thrift layer refused the call itself: a mismatch of contract (no retry) or a server fault. */
    private static SwitchboardException applicationError(String call, TApplicationException e) {
        String text = "the server could not process the " + call + " call: " + e.getMessage();
        return switch (e.getType()) {
            case TApplicationException.UNKNOWN_METHOD,
                    TApplicationException.WRONG_METHOD_NAME,
                    TApplicationException.INVALID_MESSAGE_TYPE,
                    TApplicationException.PROTOCOL_ERROR,
                    TApplicationException.INVALID_PROTOCOL,
                    TApplicationException.UNSUPPORTED_CLIENT_TYPE ->
                SwitchboardException.of(ErrorCode.INVALID_REQUEST, text);
            default -> SwitchboardException.of(ErrorCode.INTERNAL, text);
        };
    }

    @Override
    public void close() {
        exchanger.close();
    }
}
