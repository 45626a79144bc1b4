package dev.switchboard.api.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /v1/openapi.json}: the OpenAPI 3.1 description of the JSON mapping, the file kept in the repository
 * ({@value #RESOURCE}, generated from the IDL by scripts/generate-openapi.py and checked against it by a test).
 */
public final class OpenApiHandler extends Handler.Abstract {
    public static final String PATH = "/v1/openapi.json";
    public static final String RESOURCE = "/dev/switchboard/api/openapi.json";

    private final byte[] document;

    public OpenApiHandler() {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, HttpMethod.GET.asString());
            return PlainText.answer(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed");
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=300");
        response.write(true, ByteBuffer.wrap(document), callback);
        return true;
    }
}
