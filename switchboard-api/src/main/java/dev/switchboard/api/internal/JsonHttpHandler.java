package dev.switchboard.api.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/json/<call>}: the JSON mapping of one call (docs/protocol.md, "JSON"). The body is the call's
 * request struct as {@link JsonMapping} reads it, the answer its response struct, or an error object
 * {@code {code, message, retriable, expectedSeq?, retryAfterMs?}} with the HTTP status of {@link #status}. It runs
 * on the same {@code Switchboard.Iface} as the Thrift endpoint, so authentication (bearer token on allocate, request
 * MAC over the body bytes on every other call), edge checks and the switch are the same; so are the size limit
 * (after gzip) and the content encodings.
 */
public final class JsonHttpHandler extends Handler.Abstract {
    private static final Logger LOGGER = LoggerFactory.getLogger(JsonHttpHandler.class);

    public static final String PATH_PREFIX = "/v1/json/";
    public static final String CONTENT_TYPE = "application/json";

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(32)
                            .maxNumberLength(32)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonCall call;
    private final Function<CallContext, Switchboard.Iface> calls;
    private final BoundedBodies bodies;
    private final int maxRequestBytes;
    private final int maxUnauthenticatedRequestBytes;
    private final Predicate<HttpFields> credentialed;

    /**
     * @param credentialed whether a request's headers carry request MAC headers; those may send
     *     {@code maxRequestBytes}, all others (allocate) {@code maxUnauthenticatedRequestBytes}, as on /v1/thrift
     */
    public JsonHttpHandler(
            String callName,
            Function<CallContext, Switchboard.Iface> calls,
            BoundedBodies bodies,
            int maxRequestBytes,
            int maxUnauthenticatedRequestBytes,
            Predicate<HttpFields> credentialed) {
        this.call = callNamed(callName);
        this.calls = calls;
        this.bodies = bodies;
        this.maxRequestBytes = maxRequestBytes;
        this.maxUnauthenticatedRequestBytes = Math.min(maxRequestBytes, maxUnauthenticatedRequestBytes);
        this.credentialed = credentialed;
    }

    /** The paths of every call, {@code /v1/json/<call>}. */
    public static List<String> callNames() {
        List<String> names = new ArrayList<>();
        for (JsonCall c : JsonCall.values()) {
            names.add(c.callName());
        }
        return names;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, HttpMethod.POST.asString());
            return error(
                    response,
                    callback,
                    HttpStatus.METHOD_NOT_ALLOWED_405,
                    ErrorCode.INVALID_REQUEST,
                    "method not allowed: POST a JSON request");
        }
        if (!isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
            return error(
                    response,
                    callback,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
                    ErrorCode.INVALID_REQUEST,
                    "send Content-Type: application/json");
        }
        if (hasUnsupportedEncoding(request)) {
            return error(
                    response,
                    callback,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
                    ErrorCode.INVALID_REQUEST,
                    "unsupported content encoding: send identity or gzip");
        }
        boolean authenticated = credentialed.test(request.getHeaders());
        BoundedBodies.Outcome outcome =
                bodies.read(request, authenticated ? maxRequestBytes : maxUnauthenticatedRequestBytes, authenticated);
        if (!(outcome instanceof BoundedBodies.Body body)) {
            return refusal(outcome, response, callback);
        }
        try (body) {
            return answer(request, response, callback, body.bytes());
        }
    }

    private boolean answer(Request request, Response response, Callback callback, byte[] body) {
        TBase<?, ?> answer;
        try {
            TBase<?, ?> callRequest = JsonMapping.read(parse(body), call.requestType(), call.callName() + " request");
            answer = call.run(calls.apply(contextOf(request, body)), callRequest);
        } catch (SwitchboardException e) {
            return error(response, callback, e.toThrift());
        } catch (SwitchboardError e) {
            return error(response, callback, e);
        } catch (TException | RuntimeException e) {
            // The Iface turns every failure into a SwitchboardError; reaching here is a bug.
            LOGGER.error("JSON call could not be answered call={}", call.callName(), e);
            return error(
                    response,
                    callback,
                    HttpStatus.INTERNAL_SERVER_ERROR_500,
                    ErrorCode.INTERNAL,
                    "the call could not be handled; retry");
        }
        return write(response, callback, HttpStatus.OK_200, JsonMapping.write(answer));
    }

    /** The HTTP status of an error code: what a generic HTTP client or proxy should make of it. */
    static int status(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED_401;
            case FORBIDDEN -> HttpStatus.FORBIDDEN_403;
            case INVALID_REQUEST -> HttpStatus.BAD_REQUEST_400;
            case OUT_OF_SEQUENCE -> HttpStatus.CONFLICT_409;
            case SESSION_LOST -> HttpStatus.GONE_410;
            case BUSY -> HttpStatus.TOO_MANY_REQUESTS_429;
            case DRAINING, UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE_503;
            case TOPIC_NOT_FOUND -> HttpStatus.NOT_FOUND_404;
            case PAYLOAD_TOO_LARGE -> HttpStatus.PAYLOAD_TOO_LARGE_413;
            case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR_500;
        };
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "empty body: send a JSON object");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the input; only its position is passed on.
            throw SwitchboardException.of(
                    ErrorCode.INVALID_REQUEST,
                    "malformed JSON"
                            + (e.getLocation() == null
                                    ? ""
                                    : " at line " + e.getLocation().getLineNr() + ", column "
                                            + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "malformed JSON");
        }
    }

    private boolean error(Response response, Callback callback, SwitchboardError error) {
        ErrorCode code = ErrorCode.fromThrift(error.getCode());
        ObjectNode node = errorNode(code, error.getMessage());
        if (error.isSetExpectedSeq()) {
            node.put("expectedSeq", error.getExpectedSeq());
        }
        if (error.isSetRetryAfterMs()) {
            node.put("retryAfterMs", error.getRetryAfterMs());
            response.getHeaders()
                    .put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, (error.getRetryAfterMs() + 999) / 1000)));
        }
        return write(response, callback, status(code), node);
    }

    private static boolean error(Response response, Callback callback, int status, ErrorCode code, String message) {
        return write(response, callback, status, errorNode(code, message));
    }

    private static ObjectNode errorNode(ErrorCode code, @Nullable String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("code", code.name());
        node.put("message", message == null ? code.defaultMessage() : message);
        node.put("retriable", code.retriable());
        return node;
    }

    private static boolean write(Response response, Callback callback, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }

    /** The refusals of {@link BoundedBodies} in the JSON error shape, with the same statuses as /v1/thrift. */
    private static boolean refusal(BoundedBodies.Outcome outcome, Response response, Callback callback) {
        return switch (outcome) {
            case BoundedBodies.TooLarge large ->
                error(
                        response,
                        callback,
                        HttpStatus.PAYLOAD_TOO_LARGE_413,
                        ErrorCode.PAYLOAD_TOO_LARGE,
                        large.authenticated()
                                ? "request body too large: at most " + large.limit() + " bytes"
                                : "request body too large: at most " + large.limit()
                                        + " bytes without request MAC headers (allocate is small; later calls are"
                                        + " signed with the session's MAC key)");
            case BoundedBodies.Busy busy -> {
                long retryAfterMs = BoundedBodies.RETRY_AFTER_SECONDS * 1000;
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(BoundedBodies.RETRY_AFTER_SECONDS));
                ObjectNode node = errorNode(
                        ErrorCode.BUSY, "busy: this node holds as many request bodies as it may; retry later");
                node.put("retryAfterMs", retryAfterMs);
                yield write(response, callback, HttpStatus.TOO_MANY_REQUESTS_429, node);
            }
            case BoundedBodies.TooSlow slow ->
                error(
                        response,
                        callback,
                        HttpStatus.REQUEST_TIMEOUT_408,
                        ErrorCode.UNAVAILABLE,
                        "request body too slow: " + slow.bytesPerSecond() + " bytes/s");
            case BoundedBodies.Unreadable unreadable ->
                error(
                        response,
                        callback,
                        HttpStatus.BAD_REQUEST_400,
                        ErrorCode.INVALID_REQUEST,
                        "unreadable or corrupt body");
            case BoundedBodies.Body body -> throw new IllegalArgumentException("a body is not a refusal");
        };
    }

    /** {@code application/json}, with parameters (a charset of UTF-8 only). */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!CONTENT_TYPE.equals(parts[0].trim().toLowerCase(Locale.ROOT))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim().toLowerCase(Locale.ROOT).replace("\"", "");
            if (parameter.startsWith("charset=") && !parameter.equals("charset=utf-8")) {
                return false;
            }
        }
        return true;
    }

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
                headers.containsKey(RequestMac.MAC_HEADER) ? HexFormat.of().formatHex(RequestMac.sha256(body)) : "",
                // when its head began to arrive: the queue-delay gate measures from there
                Request.getTimeStamp(request));
    }

    private static JsonCall callNamed(String name) {
        for (JsonCall c : JsonCall.values()) {
            if (c.callName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no such call: " + name);
    }
}
