package dev.switchboard.api.internal;

import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes by exact path: known paths to their handler, anything else 404. Also the last line of defence: a handler
 * that throws yields a plain 500 "internal error", never Jetty's error page with a stack trace.
 */
public final class ApiRouter extends Handler.Abstract {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiRouter.class);

    private final Map<String, Handler> routes;

    public ApiRouter(Map<String, Handler> routes) {
        // The routes are stateless handlers with no lifecycle of their own; the router only calls them.
        this.routes = Map.copyOf(routes);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        long startNanos = System.nanoTime();
        Request.addCompletionListener(
                request,
                failure -> LOGGER.debug(
                        "request done method={} path={} status={} durationMs={} failed={}",
                        request.getMethod(),
                        path,
                        response.getStatus(),
                        (System.nanoTime() - startNanos) / 1_000_000,
                        failure != null));
        Handler route = routes.get(path);
        if (route == null) {
            return PlainText.answer(response, callback, HttpStatus.NOT_FOUND_404, "not found");
        }
        try {
            if (route.handle(request, response, callback)) {
                return true;
            }
            return PlainText.answer(response, callback, HttpStatus.NOT_FOUND_404, "not found");
        } catch (Exception e) {
            LOGGER.error("request failed unexpectedly method={} path={}", request.getMethod(), path, e);
            if (response.isCommitted()) {
                callback.failed(e);
                return true;
            }
            return PlainText.answer(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error");
        }
    }
}
