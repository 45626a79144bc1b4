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
 * {@code GET /dashboard} and {@code /dashboard.js}: the live dashboard, a static page committed as it is served
 * (no build step). The page holds no data: its script asks {@code /v1/cluster} with the admin token the operator
 * gives it (URL fragment {@code #token=...} or a form), so serving the page itself needs no token.
 */
public final class DashboardHandler extends Handler.Abstract {
    public static final String PAGE_PATH = "/dashboard";
    public static final String SCRIPT_PATH = "/dashboard.js";
    private static final String CSP =
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'";

    private final byte[] page;
    private final byte[] script;

    public DashboardHandler() {
        this.page = resource("dashboard.html");
        this.script = resource("dashboard.js");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return PlainText.answer(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed");
        }
        boolean isScript = SCRIPT_PATH.equals(Request.getPathInContext(request));
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders()
                .put(HttpHeader.CONTENT_TYPE, isScript ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.write(true, ByteBuffer.wrap(isScript ? script : page), callback);
        return true;
    }

    private static byte[] resource(String name) {
        try (InputStream in = DashboardHandler.class.getResourceAsStream("/dev/switchboard/api/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
