package dev.switchboard.backend;

/**
 * What one backend node holds for all its clients together, whoever they are ({@code node-limits} in
 * {@link BackendConfig}). Past a limit the request is answered BUSY with a retry-after, which the SDK retries
 * within its retry budget; the defaults keep a node within a 1 GiB heap.
 *
 * @param maxSessions sessions hosted at once ({@code max-sessions}, default 4,096)
 * @param maxSessionsPerPrincipal sessions one principal (the token's subject, passed on by the API tier) holds on
 *     this node at once ({@code max-sessions-per-principal}, default 512); sessions without a principal count
 *     towards {@code max-sessions} only
 * @param maxStagedBytes bytes of written events staged (written, not yet committed) over all write sessions
 *     ({@code max-staged-bytes}, default 256 MiB): a writer that never commits cannot fill the heap, only its
 *     own window
 */
public record NodeLimits(int maxSessions, int maxSessionsPerPrincipal, long maxStagedBytes) {
    public static final int DEFAULT_MAX_SESSIONS = 4096;
    public static final int DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 512;
    public static final long DEFAULT_MAX_STAGED_BYTES = 256L << 20;

    public NodeLimits {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max-sessions must be at least 1, got " + maxSessions);
        }
        if (maxSessionsPerPrincipal < 1) {
            throw new IllegalArgumentException(
                    "max-sessions-per-principal must be at least 1, got " + maxSessionsPerPrincipal);
        }
        if (maxStagedBytes < 1) {
            throw new IllegalArgumentException("max-staged-bytes must be at least 1, got " + maxStagedBytes);
        }
    }

    public static NodeLimits defaults() {
        return new NodeLimits(DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SESSIONS_PER_PRINCIPAL, DEFAULT_MAX_STAGED_BYTES);
    }

    public NodeLimits withMaxSessions(int value) {
        return new NodeLimits(value, maxSessionsPerPrincipal, maxStagedBytes);
    }

    public NodeLimits withMaxSessionsPerPrincipal(int value) {
        return new NodeLimits(maxSessions, value, maxStagedBytes);
    }

    public NodeLimits withMaxStagedBytes(long value) {
        return new NodeLimits(maxSessions, maxSessionsPerPrincipal, value);
    }
}
