package dev.switchboard.server.config;

/** A configuration that cannot be used; the message names the key and says why, and never holds a password. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What a constructor's check refused, with its message (which names the key; else the exception itself). */
    public static ConfigException refused(IllegalArgumentException e) {
        String message = e.getMessage();
        return new ConfigException(message == null ? e.toString() : message, e);
    }
}
