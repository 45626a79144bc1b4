package dev.switchboard.api.internal;

import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /health/live} (the process serves HTTP) and {@code /health/ready} (it can also reach a backend node, plus
 * whatever else the embedding role requires), for orchestrators and the CLI's "ready" wait.
 */
public final class HealthHandler extends Handler.Abstract.NonBlocking {
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";

    private final BooleanSupplier readiness;

    public HealthHandler(BooleanSupplier readiness) {
        this.readiness = readiness;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return PlainText.answer(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed");
        }
        if (LIVE_PATH.equals(Request.getPathInContext(request))) {
            return PlainText.answer(response, callback, HttpStatus.OK_200, "live");
        }
        return isReady()
                ? PlainText.answer(response, callback, HttpStatus.OK_200, "ready")
                : PlainText.answer(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "not ready");
    }

    private boolean isReady() {
        try {
            return readiness.getAsBoolean();
        } catch (RuntimeException e) {
            // A failing check means not ready; the check's owner logs its own trouble.
            return false;
        }
    }
}
