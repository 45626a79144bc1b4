package dev.switchboard.backend.internal;

/**
 * The replication Switchboard creates topics with: its data topics, dead-letter topics and internal topics
 * ({@code __switchboard_keys}, {@code __switchboard_writers}, ...) alike.
 *
 * @param factor replicas per partition ({@code replication-factor})
 * @param minInsyncReplicas the topic's {@code min.insync.replicas}: how many replicas must have a record before
 *     an acks=all write is acknowledged ({@code min-insync-replicas})
 */
public record Replication(int factor, int minInsyncReplicas) {
    /** A setting left to the node: worked out from the cluster's brokers. */
    public static final int AUTO = 0;

    /** Replicas per partition when not configured: three, or every broker of a smaller cluster. */
    static final int DEFAULT_FACTOR = 3;

    public Replication {
        if (factor < 1 || minInsyncReplicas < 1 || minInsyncReplicas > factor) {
            throw new IllegalArgumentException("replication needs 1 <= min-insync-replicas <= replication-factor, got "
                    + minInsyncReplicas + " and " + factor);
        }
    }

    /**
     * The replication for a cluster of {@code brokers} brokers: a configured value as it is ({@link #AUTO} for
     * none); a missing factor is min(3, brokers), a missing min-insync-replicas is one less than the factor (at
     * least 1), so one replica may be down while writes go on.
     */
    static Replication resolve(int configuredFactor, int configuredMinInsync, int brokers) {
        int factor = configuredFactor != AUTO ? configuredFactor : Math.max(1, Math.min(DEFAULT_FACTOR, brokers));
        int minInsync = configuredMinInsync != AUTO ? configuredMinInsync : Math.max(1, factor - 1);
        return new Replication(factor, Math.min(minInsync, factor));
    }
}
