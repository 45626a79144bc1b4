package dev.switchboard.api.internal;

import dev.switchboard.core.mac.RequestMac;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/thrift}: the HTTP half of the Thrift endpoint. It deals in bytes and headers only: reads the
 * (already gunzipped) body within the size limit, hands it with a {@link CallContext} to the
 * {@link ThriftDispatcher}, and writes the reply. What a call means is none of its business.
 *
 * <p>Gzip in both directions is Jetty's {@code CompressionHandler}, in front of this handler. Blocking reads are fine: the
 * server runs handlers on virtual threads.
 */
public final class ThriftHttpHandler extends Handler.Abstract {
    private static final Logger LOGGER = LoggerFactory.getLogger(ThriftHttpHandler.class);

    public static final String PATH = "/v1/thrift";
    public static final String CONTENT_TYPE = "application/vnd.apache.thrift.compact";

    private final ThriftDispatcher dispatcher;
    private final int maxRequestBytes;

    public ThriftHttpHandler(ThriftDispatcher dispatcher, int maxRequestBytes) {
        this.dispatcher = dispatcher;
        this.maxRequestBytes = maxRequestBytes;
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
                    "unsupported content encoding: send identity or gzip");
        }
        if (request.getLength() > maxRequestBytes) {
            if (request.getLength() <= 2L * maxRequestBytes) {
                // A client that sends the whole body before reading the answer (the JDK's HttpClient does) would
                // otherwise meet a reset connection instead of the 413; far larger bodies are not worth reading.
                discard(request);
            }
            return tooLarge(response, callback);
        }
        byte[] body;
        try {
            body = readBody(request);
        } catch (IOException | RuntimeException e) {
            // Bad gzip data, or the client went away; either way there is no call to run.
            LOGGER.debug("request body unreadable remote={} reason={}", Request.getRemoteAddr(request), e.toString());
            return PlainText.answer(
                    response, callback, HttpStatus.BAD_REQUEST_400, "invalid request: unreadable or corrupt body");
        }
        if (body.length > maxRequestBytes) {
            return tooLarge(response, callback);
        }
        return switch (dispatcher.dispatch(body, contextOf(request, body))) {
            case CallOutcome.Reply reply -> {
                response.setStatus(HttpStatus.OK_200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                response.write(true, reply.body(), callback);
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

    /** Reads at most one byte more than the limit, so an oversized body is detected without buffering all of it. */
    private byte[] readBody(Request request) throws IOException {
        // Not closed: on an oversized body Jetty itself discards the rest or closes the connection after the 413.
        InputStream in = Content.Source.asInputStream(request);
        long announced = request.getLength();
        if (announced >= 0 && announced <= maxRequestBytes && !isGzipped(request)) {
            // Straight into an array of the announced size: readNBytes(limit) gathers the body in 8-16 KiB pieces
            // and then copies them into one array (JFR: an eighth of the bytes a write run allocated).
            byte[] body = new byte[(int) announced];
            int read = in.readNBytes(body, 0, body.length);
            if (read < body.length || in.read() != -1) {
                throw new IOException("the body does not have its announced length " + announced);
            }
            return body;
        }
        return in.readNBytes(maxRequestBytes + 1);
    }

    private static void discard(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            LOGGER.debug("oversized body not read to its end remote={}", Request.getRemoteAddr(request));
        }
    }

    private boolean tooLarge(Response response, Callback callback) {
        return PlainText.answer(
                response,
                callback,
                HttpStatus.PAYLOAD_TOO_LARGE_413,
                "request body too large: at most " + maxRequestBytes + " bytes");
    }

    /**
     * True when Jetty inflates this body: the announced length is then that of the compressed bytes. Jetty moves
     * the coding it decodes from {@code Content-Encoding} to {@code X-Content-Encoding}.
     */
    private static boolean isGzipped(Request request) {
        return request.getHeaders().contains("X-Content-Encoding")
                || request.getHeaders().contains(HttpHeader.CONTENT_ENCODING);
    }

    /** Jetty removes {@code gzip} once it inflates the body; any coding left over is one nobody decodes. */
    private static boolean hasUnsupportedEncoding(Request request) {
        for (String coding : request.getHeaders().getCSV(HttpHeader.CONTENT_ENCODING, false)) {
            if (!coding.isBlank() && !"identity".equalsIgnoreCase(coding.trim())) {
                return true;
            }
        }
        return false;
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
                headers.containsKey(RequestMac.MAC_HEADER) ? HexFormat.of().formatHex(RequestMac.sha256(body)) : "");
    }
}
