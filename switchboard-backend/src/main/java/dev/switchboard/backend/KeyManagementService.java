package dev.switchboard.backend;

/**
 * Wraps and unwraps data keys with a key-encryption key (KEK) that never leaves the service. Implementations:
 * {@link LocalKeyManagementService} (a PKCS12 keystore); a cloud KMS can be added behind the same interface.
 * Implementations are thread-safe.
 */
public interface KeyManagementService {

    /** A data key wrapped by the KEK {@code kekId}. */
    record WrappedKey(String kekId, byte[] bytes) {}

    /**
     * Wraps {@code dataKey} with the current KEK; {@code context} is authenticated with it, so the wrapped key
     * cannot be unwrapped under another context.
     */
    WrappedKey wrap(byte[] dataKey, byte[] context);

    /**
     * Unwraps a data key wrapped by {@link #wrap} with the same context; {@link KeyUnavailableException} when
     * the KEK is unknown or the wrapped key was altered.
     */
    byte[] unwrap(WrappedKey wrapped, byte[] context);

    /** Thrown when a key cannot be produced: unknown KEK, altered wrapped key, unreadable keystore. */
    final class KeyUnavailableException extends RuntimeException {
        public KeyUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }

        public KeyUnavailableException(String message) {
            super(message);
        }
    }
}
