package dev.switchboard.client.internal;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One API node reached over one transport ({@link HttpChannel} for {@code http(s)://}, {@link TcpEndpoint} for
 * {@code sb(s)://}); {@link FailoverChannel} moves between them.
 */
interface Endpoint extends AutoCloseable {
    /** The URL as the user gave it. */
    URI url();

    /**
     * One exchange. {@link ConnectException} when the node could not be reached at all (the next one is tried at
     * once); {@link TransientFailure} when the answer was lost; {@code SwitchboardException} when refused.
     */
    byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
            throws ConnectException, TransientFailure, InterruptedException;

    /** Whether this node takes streamed reads ({@link #stream}): the binary TCP transport does. */
    default boolean streams() {
        return false;
    }

    /**
     * Opens a streamed read: {@code readCall} is the signed {@code read} call message ({@code headers} its request
     * MAC), {@code window} the credit window asked for; what arrives goes to {@code sink}. {@link ConnectException}
     * when the node could not be reached; {@link TransientFailure} when the STREAM frame could not be sent.
     */
    default StreamLink stream(byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
            throws ConnectException, TransientFailure {
        throw new UnsupportedOperationException(url() + " does not take streamed reads");
    }

    @Override
    void close();
}
