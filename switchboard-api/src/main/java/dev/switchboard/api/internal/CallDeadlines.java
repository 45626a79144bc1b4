package dev.switchboard.api.internal;

import dev.switchboard.protocol.thrift.ReadRequest;
import java.time.Duration;

/**
 * How long a call may take end to end. A read long-polls, so its deadline is its own wait (capped) plus a margin;
 * a commit (or a write carrying one) gets the request timeout plus {@link #COMMIT_MARGIN}, so that a backend whose
 * commit waited for Kafka as long as its {@code max-wait} (by default as long as the request timeout) is still
 * heard saying so; every other call gets the configured request timeout.
 */
public record CallDeadlines(Duration requestTimeout, Duration readWaitMargin) {

    /** The longest long-poll the API tier waits for, whatever the client asks. */
    public static final Duration MAX_READ_WAIT = Duration.ofSeconds(60);

    /**
     * How much longer than the request timeout the API tier waits for a commit's answer: the backend answers a
     * commit that Kafka has not acknowledged at its max-wait with what happened, and that answer must win over the
     * API tier's own "did not answer in time". The SDK waits longer still (its {@code Rpc.COMMIT_EXTRA_TIME}).
     */
    public static final Duration COMMIT_MARGIN = Duration.ofSeconds(3);

    public Duration forRead(ReadRequest request) {
        Duration wait =
                request.isSetMaxWaitMs() ? Duration.ofMillis(Math.max(0, request.getMaxWaitMs())) : MAX_READ_WAIT;
        Duration capped = wait.compareTo(MAX_READ_WAIT) > 0 ? MAX_READ_WAIT : wait;
        return capped.plus(readWaitMargin);
    }

    /** A commit, or a write with its commit riding on it: it may wait for Kafka up to the backend's max-wait. */
    public Duration forCommit() {
        return requestTimeout.plus(COMMIT_MARGIN);
    }

    public Duration forOtherCalls() {
        return requestTimeout;
    }

    /** The longest any call can wait; the HTTP connection must stay open at least this long. */
    public Duration longest() {
        Duration longestRead = MAX_READ_WAIT.plus(readWaitMargin);
        return longestRead.compareTo(forCommit()) > 0 ? longestRead : forCommit();
    }
}
