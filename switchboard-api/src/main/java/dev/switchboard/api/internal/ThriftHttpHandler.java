package dev.switchboard.api.internal;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.compress.CompressionPolicy;
import dev.switchboard.protocol.compress.Lz4Frames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/thrift}: the HTTP half of the Thrift endpoint. It deals in bytes and headers only: reads the
 * (already gunzipped) body with {@link BoundedBodies} (a small limit unless the headers carry request MAC
 * headers, a node-wide budget, a minimum data rate), hands it with a {@link CallContext} to the
 * {@link ThriftDispatcher}, and writes the reply. What a call means is none of its business.
 *
 * <p>Gzip in both directions is Jetty's {@code CompressionHandler}, in front of this handler (for old SDKs and
 * plain HTTP clients). LZ4 is this handler's: a body with {@code Content-Encoding: lz4} is decompressed as it is read
 * ({@link BoundedBodies}, the same limits on the decompressed bytes), and a reply of at least
 * {@value Lz4Frames#MIN_BYTES} bytes to a call that accepts {@code lz4} is sent LZ4-compressed when that saves
 * at least a fifth. Every reply names the codings this endpoint accepts in requests ({@code Accept-Encoding: lz4,
 * gzip}, RFC 7694), which is how an SDK learns that it may send LZ4. Blocking reads are fine: the server runs
 * handlers on virtual threads.
 */
public final class ThriftHttpHandler extends Handler.Abstract {
    private static final Logger LOGGER = LoggerFactory.getLogger(ThriftHttpHandler.class);

    public static final String PATH = "/v1/thrift";
    public static final String CONTENT_TYPE = "application/vnd.apache.thrift.compact";

    /** What this endpoint accepts as a request's {@code Content-Encoding}. */
    public static final String ACCEPTED_CODINGS = "lz4, gzip";

    private final ThriftDispatcher dispatcher;
    private final BoundedBodies bodies;
    private final int maxRequestBytes;
    private final int maxUnauthenticatedRequestBytes;
    private final Predicate<HttpFields> credentialed;

    /**
     * @param credentialed whether a request's headers carry what later authenticates it (request MAC headers);
     *     those get {@code maxRequestBytes}, all others {@code maxUnauthenticatedRequestBytes}
     */
    public ThriftHttpHandler(
            ThriftDispatcher dispatcher,
            BoundedBodies bodies,
            int maxRequestBytes,
            int maxUnauthenticatedRequestBytes,
            Predicate<HttpFields> credentialed) {
        this.dispatcher = dispatcher;
        this.bodies = bodies;
        this.maxRequestBytes = maxRequestBytes;
        this.maxUnauthenticatedRequestBytes = Math.min(maxRequestBytes, maxUnauthenticatedRequestBytes);
        this.credentialed = credentialed;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, HttpMethod.POST.asString());
            return PlainText.answer(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed");
        }
        if (hasUnsupportedEncoding(request)) {
            return PlainText.answer(
                    response,
                    callback,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
                    "unsupported content encoding: send identity, gzip or lz4");
        }
        boolean authenticated = credentialed.test(request.getHeaders());
        BoundedBodies.Outcome outcome =
                bodies.read(request, authenticated ? maxRequestBytes : maxUnauthenticatedRequestBytes, authenticated);
        if (!(outcome instanceof BoundedBodies.Body body)) {
            return BoundedBodies.answerRefusal(outcome, response, callback);
        }
        CallOutcome answer;
        try (body) {
            answer = dispatcher.dispatch(body.bytes(), contextOf(request, body.bytes()));
        }
        return switch (answer) {
            case CallOutcome.Reply reply -> {
                response.setStatus(HttpStatus.OK_200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                response.getHeaders().put(HttpHeader.ACCEPT_ENCODING, ACCEPTED_CODINGS);
                response.write(true, encoded(request, response, reply.body(), bodies.counters()), callback);
                yield true;
            }
            case CallOutcome.Invalid invalid -> {
                LOGGER.debug(
                        "request is not a Thrift call remote={} reason={}",
                        Request.getRemoteAddr(request),
                        invalid.reason());
                yield PlainText.answer(
                        response, callback, HttpStatus.BAD_REQUEST_400, "invalid request: " + invalid.reason());
            }
        };
    }

    /** The reply, LZ4-compressed when the call accepts it, it is large enough and compressing it pays. */
    private static ByteBuffer encoded(Request request, Response response, ByteBuffer reply, ApiCounters counters) {
        if (reply.remaining() < Lz4Frames.MIN_BYTES || !acceptsLz4(request)) {
            return reply;
        }
        byte[] compressed = Lz4Frames.compress(reply);
        if (!CompressionPolicy.pays(reply.remaining(), compressed.length)) {
            return reply; // the SDK sees a plain answer and stops asking for a while
        }
        response.getHeaders().put(HttpHeader.CONTENT_ENCODING, Lz4Frames.CODING);
        counters.countLz4Reply();
        return ByteBuffer.wrap(compressed);
    }

    /** The request attribute that says the client accepts LZ4 answers ({@link #noteAcceptedCodings}). */
    static final String ACCEPTS_LZ4 = ThriftHttpHandler.class.getName() + ".acceptsLz4";

    /**
     * Notes on the request whether its {@code Accept-Encoding} takes {@code lz4}: for the server's handler chain to
     * call before Jetty's compression layer, which hides that header from the handlers behind it.
     */
    public static void noteAcceptedCodings(Request request) {
        if (acceptsLz4In(request)) {
            request.setAttribute(ACCEPTS_LZ4, Boolean.TRUE);
        }
    }

    private static boolean acceptsLz4(Request request) {
        return Boolean.TRUE.equals(request.getAttribute(ACCEPTS_LZ4)) || acceptsLz4In(request);
    }

    private static boolean acceptsLz4In(Request request) {
        for (String coding : request.getHeaders().getQualityCSV(HttpHeader.ACCEPT_ENCODING)) {
            if (Lz4Frames.CODING.equalsIgnoreCase(coding.trim())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Jetty removes {@code gzip} once it inflates the body; {@code lz4} alone is decoded here ({@link BoundedBodies});
     * any other coding left over is one nobody decodes.
     */
    private static boolean hasUnsupportedEncoding(Request request) {
        List<String> codings = new ArrayList<>();
        for (String coding : request.getHeaders().getCSV(HttpHeader.CONTENT_ENCODING, false)) {
            if (!coding.isBlank() && !"identity".equalsIgnoreCase(coding.trim())) {
                codings.add(coding.trim());
            }
        }
        return !codings.isEmpty() && !(codings.size() == 1 && Lz4Frames.CODING.equalsIgnoreCase(codings.get(0)));
    }

    private static CallContext contextOf(Request request, byte[] body) {
        Map<String, List<String>> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getLowerCaseName(), name -> new ArrayList<>())
                    .add(field.getValue());
        }
        return new CallContext(
                headers,
                Request.getRemoteAddr(request),
                // only a signed call needs the digest
                headers.containsKey(RequestMac.MAC_HEADER) ? HexFormat.of().formatHex(RequestMac.sha256(body)) : "",
                // when its head began to arrive: the queue-delay gate measures from there
                Request.getTimeStamp(request));
    }
}
