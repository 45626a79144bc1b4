package dev.switchboard.api.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/** Writes the short text/plain answers of the HTTP edge (health, errors); never a stack trace, never client data. */
final class PlainText {
    private PlainText() {}

    /** Completes the exchange with {@code status} and {@code text}; returns true, as a handler does when it handled. */
    static boolean answer(Response response, Callback callback, int status, @Nullable String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.TEXT_PLAIN_UTF_8.asString());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, text, callback);
        return true;
    }
}
