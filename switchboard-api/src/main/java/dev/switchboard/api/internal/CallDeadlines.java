package dev.switchboard.api.internal;

import dev.switchboard.protocol.thrift.ReadRequest;
import java.time.Duration;

/**
 * How long a call may take end to end. A read long-polls, so its deadline is its own wait (capped) plus a margin;
 * every other call gets the configured request timeout.
 */
public record CallDeadlines(Duration requestTimeout, Duration readWaitMargin) {

    /** The longest long-poll the API tier waits for, whatever the client asks. */
    public static final Duration MAX_READ_WAIT = Duration.ofSeconds(60);

    public Duration forRead(ReadRequest request) {
        Duration wait =
                request.isSetMaxWaitMs() ? Duration.ofMillis(Math.max(0, request.getMaxWaitMs())) : MAX_READ_WAIT;
        Duration capped = wait.compareTo(MAX_READ_WAIT) > 0 ? MAX_READ_WAIT : wait;
        return capped.plus(readWaitMargin);
    }

    public Duration forOtherCalls() {
        return requestTimeout;
    }

    /** The longest any call can wait; the HTTP connection must stay open at least this long. */
    public Duration longest() {
        Duration longestRead = MAX_READ_WAIT.plus(readWaitMargin);
        return longestRead.compareTo(requestTimeout) > 0 ? longestRead : requestTimeout;
    }
}
