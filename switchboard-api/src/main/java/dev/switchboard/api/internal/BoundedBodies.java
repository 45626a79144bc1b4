package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.protocol.compress.Lz4Frames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads request bodies into memory without letting any client decide how much memory that takes: for every
 * HTTP endpoint that needs a whole body (Thrift today; any other mapping can use it the same way).
 *
 * <ul>
 *   <li>Incremental: the buffer grows (doubling, from 64 KiB at most) as bytes arrive, never to an announced
 *       {@code Content-Length} before the bytes are there; it stops one byte past the limit.
 *   <li>A node-wide budget of body bytes in flight: every growth of a buffer is charged to it before it is made,
 *       and the charge is given back when the call is done ({@link Body#close()}). When it is spent the request is
 *       answered 429 with {@code Retry-After} (the SDK reads that as BUSY and retries).
 *   <li>A minimum data rate: after a second of grace, a body arriving slower than {@code minBytesPerSecond} is cut
 *       off (408). A client that sends nothing at all meets the connector's idle timeout.
 * </ul>
 */
public final class BoundedBodies {
    private static final Logger LOGGER = LoggerFactory.getLogger(BoundedBodies.class);

    static final int FIRST_BUFFER_BYTES = 64 * 1024;
    private static final long GRACE_NANOS = 1_000_000_000L;
    static final long RETRY_AFTER_SECONDS = 1;

    private final long budgetBytes;
    private final long minBytesPerSecond;
    private final ApiCounters counters;
    private final AtomicLong inFlight;
    private final LongSupplier nanoTime;

    public BoundedBodies(long budgetBytes, long minBytesPerSecond, ApiCounters counters) {
        this(budgetBytes, minBytesPerSecond, counters, System::nanoTime);
    }

    BoundedBodies(long budgetBytes, long minBytesPerSecond, ApiCounters counters, LongSupplier nanoTime) {
        this.budgetBytes = budgetBytes;
        this.minBytesPerSecond = minBytesPerSecond;
        this.counters = counters;
        this.inFlight = counters.bodyBytesInFlightGauge();
        this.nanoTime = nanoTime;
    }

    /** The node's counters, which this class bumps for the bodies it reads. */
    public ApiCounters counters() {
        return counters;
    }

    /** What reading a body came to. */
    public sealed interface Outcome permits Body, TooLarge, Busy, TooSlow, Unreadable {}

    /** The whole body; close it once the call it carries is done, to give its bytes back to the budget. */
    public final class Body implements Outcome, AutoCloseable {
        private final byte[] bytes;
        private long charged;

        private Body(byte[] bytes, long charged) {
            this.bytes = bytes;
            this.charged = charged;
        }

        public byte[] bytes() {
            return bytes;
        }

        @Override
        public void close() {
            release(charged);
            charged = 0;
        }
    }

    /** Over {@code limit}; {@code authenticated} says which limit it was. */
    public record TooLarge(int limit, boolean authenticated) implements Outcome {}

    /** The node's budget of body bytes in flight is spent. */
    public record Busy() implements Outcome {}

    /** The body arrived slower than the minimum data rate. */
    public record TooSlow(long bytesPerSecond) implements Outcome {}

    /** The client went away mid-body, or the gzip or LZ4 data is corrupt. */
    public record Unreadable(String reason) implements Outcome {}

    /**
     * Reads {@code request}'s (already inflated) body, at most {@code limit} bytes.
     *
     * @param authenticated whether {@code limit} is the limit for requests that carry credentials (for the
     *     counters and the answer's wording)
     */
    public Outcome read(Request request, int limit, boolean authenticated) {
        long announced = request.getLength();
        boolean inflated = isGzipped(request);
        if (!inflated && announced > limit) {
            if (announced <= 2L * limit) {
                // A client that sends the whole body before reading the answer (the JDK's HttpClient does) would
                // otherwise meet a reset connection instead of the 413; far larger bodies are not worth reading.
                discard(request);
            }
            counters.countTooLarge(authenticated);
            return new TooLarge(limit, authenticated);
        }
        // With a trustworthy length the buffer ends exactly at it; otherwise one byte past the limit tells "too
        // large" apart from "exactly at the limit".
        int ceiling = !inflated && announced >= 0 ? (int) announced : limit + 1;
        long start = nanoTime.getAsLong();
        long charged = 0;
        byte[] buffer = new byte[0];
        int count = 0;
        // Not closed: on an oversized body Jetty itself discards the rest or closes the connection after the 413.
        InputStream in = Content.Source.asInputStream(request);
        boolean lz4 = isLz4(request);
        try {
            if (lz4) {
                in = Lz4Frames.decoding(in); // every limit below applies to the decompressed bytes
            }
            while (true) {
                if (count == buffer.length) {
                    if (buffer.length == ceiling) {
                        if (ceiling > limit) {
                            release(charged);
                            counters.countTooLarge(authenticated);
                            return new TooLarge(limit, authenticated);
                        }
                        if (in.read() != -1) {
                            throw new IOException("the body is longer than its announced length " + announced);
                        }
                        break;
                    }
                    int grown = (int) Math.min(ceiling, Math.max(FIRST_BUFFER_BYTES, 2L * buffer.length));
                    if (!reserve(grown - buffer.length)) {
                        release(charged);
                        counters.countBusy();
                        return new Busy();
                    }
                    charged += grown - buffer.length;
                    buffer = Arrays.copyOf(buffer, grown);
                }
                int read = in.read(buffer, count, buffer.length - count);
                if (read < 0) {
                    break;
                }
                count += read;
                long elapsed = nanoTime.getAsLong() - start;
                if (minBytesPerSecond > 0 && elapsed > GRACE_NANOS) {
                    long rate = (long) (count * 1e9 / elapsed);
                    if (rate < minBytesPerSecond) {
                        release(charged);
                        counters.countSlow();
                        return new TooSlow(rate);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            release(charged);
            counters.countUnreadable();
            LOGGER.debug("request body unreadable remote={} reason={}", Request.getRemoteAddr(request), e.toString());
            return new Unreadable(e.toString());
        }
        if (lz4) {
            counters.countLz4Request();
        }
        if (count == buffer.length) {
            return new Body(buffer, charged);
        }
        // Shrink to the exact length (gzip or chunked bodies); the copy is charged only while both exist.
        byte[] exact = Arrays.copyOf(buffer, count);
        long over = charged - count;
        release(over);
        return new Body(exact, charged - over);
    }

    /**
     * A body of exactly {@code length} bytes, charged to the budget up front, for a transport that knows a body's
     * length before reading it (the TCP transport's frames); the caller reads the bytes into {@link Body#bytes()}.
     * Empty when the budget is spent (BUSY).
     */
    public java.util.Optional<Body> admit(int length) {
        if (!reserve(length)) {
            counters.countBusy();
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Body(new byte[length], length));
    }

    /**
     * Answers every outcome but {@link Body} in plain text: 413, 429 with {@code Retry-After}, 408, 400. Returns
     * what a Jetty handler returns.
     */
    public static boolean answerRefusal(Outcome outcome, Response response, Callback callback) {
        return switch (outcome) {
            case TooLarge large ->
                PlainText.answer(
                        response,
                        callback,
                        HttpStatus.PAYLOAD_TOO_LARGE_413,
                        large.authenticated()
                                ? "request body too large: at most " + large.limit() + " bytes"
                                : "request body too large: at most " + large.limit()
                                        + " bytes without request MAC headers (allocate is small; later calls are"
                                        + " signed with the session's MAC key)");
            case Busy busy -> {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(RETRY_AFTER_SECONDS));
                yield PlainText.answer(
                        response,
                        callback,
                        HttpStatus.TOO_MANY_REQUESTS_429,
                        "busy: this node holds as many request bodies as it may; retry after " + RETRY_AFTER_SECONDS
                                + " s");
            }
            case TooSlow slow ->
                PlainText.answer(
                        response,
                        callback,
                        HttpStatus.REQUEST_TIMEOUT_408,
                        "request body too slow: " + slow.bytesPerSecond() + " bytes/s");
            case Unreadable unreadable ->
                PlainText.answer(
                        response, callback, HttpStatus.BAD_REQUEST_400, "invalid request: unreadable or corrupt body");
            case Body body -> throw new IllegalArgumentException("a body is not a refusal");
        };
    }

    private boolean reserve(long bytes) {
        while (true) {
            long used = inFlight.get();
            if (used + bytes > budgetBytes) {
                return false;
            }
            if (inFlight.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    private void release(long bytes) {
        if (bytes > 0) {
            inFlight.addAndGet(-bytes);
        }
    }

    private static void discard(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            LOGGER.debug("oversized body not read to its end remote={}", Request.getRemoteAddr(request));
        }
    }

    /**
     * True when the body is decompressed as it is read (gzip by Jetty, LZ4 here): the announced length is then that
     * of the compressed bytes. Jetty moves the coding it decodes from {@code Content-Encoding} to
     * {@code X-Content-Encoding}.
     */
    private static boolean isGzipped(Request request) {
        return request.getHeaders().contains("X-Content-Encoding")
                || request.getHeaders().contains(HttpHeader.CONTENT_ENCODING);
    }

    /** True when the body is LZ4-compressed (and so decompressed while it is read). */
    private static boolean isLz4(Request request) {
        for (String coding : request.getHeaders().getCSV(HttpHeader.CONTENT_ENCODING, false)) {
            if (Lz4Frames.CODING.equalsIgnoreCase(coding.trim())) {
                return true;
            }
        }
        return false;
    }
}
