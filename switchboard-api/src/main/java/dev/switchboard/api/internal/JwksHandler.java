package dev.switchboard.api.internal;

import com.nimbusds.jose.jwk.JWKSet;
import java.text.ParseException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /.well-known/jwks.json}: the public keys of a fixed JWK set (standalone's development issuer), so
 * other services can check its tokens too. Private key material is never served: only the public JWK set.
 */
public final class JwksHandler extends Handler.Abstract {
    public static final String PATH = "/.well-known/jwks.json";

    private final String publicJwks;

    public JwksHandler(String jwkSetJson) {
        try {
            this.publicJwks = JWKSet.parse(jwkSetJson).toPublicJWKSet().toString();
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, HttpMethod.GET.asString());
            return PlainText.answer(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed");
        }
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/jwk-set+json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=300");
        Content.Sink.write(response, true, publicJwks, callback);
        return true;
    }
}
