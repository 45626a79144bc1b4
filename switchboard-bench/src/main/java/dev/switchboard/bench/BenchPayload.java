package dev.switchboard.bench;

/** What a bench event's payload looks like ({@code --payload}). */
public enum BenchPayload {
    /** Random bytes: compression gains nothing (encrypted or already compressed data). */
    RANDOM,
    /** JSON order documents: compressible like typical business events. */
    JSON
}
