package dev.switchboard.client.internal;

import org.jspecify.annotations.Nullable;

/**
 * A request whose answer never arrived or was unusable (connection error, timeout, HTTP 5xx, a truncated body):
 * the server may or may not have handled it, so the only safe move is to resend it unchanged, which the
 * protocol's idempotency makes harmless.
 */
final class TransientFailure extends Exception {
    TransientFailure(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    TransientFailure(String message) {
        super(message);
    }
}
