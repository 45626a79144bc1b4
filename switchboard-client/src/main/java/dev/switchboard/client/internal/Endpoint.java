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

    @Override
    void close();
}
