package dev.switchboard.client.internal;

import java.time.Duration;
import java.util.Map;

/**
 * Delivers one encoded Thrift call and returns the encoded answer: the seam between the session logic and the
 * wire. {@link HttpChannel} is the real one.
 */
interface Exchanger extends AutoCloseable {

    /**
     * Sends {@code message} and returns the answer's bytes. {@code extraTime} is how much longer than usual the
     * answer may take (a long poll). A lost answer is a {@link TransientFailure}; a rejection by the server that
     * is not a Thrift answer is a {@code SwitchboardException}.
     */
    byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure, InterruptedException;

    /** As {@link #exchange(byte[], Duration)}, sending {@code headers} along (the request MAC); ignored off HTTP. */
    default byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
            throws TransientFailure, InterruptedException {
        return exchange(message, extraTime);
    }

    /**
     * The exchanger for one more session: the same transport, but where it has several API nodes, starting at the
     * next one in turn (so a client's sessions spread over its URLs), failing over as this one does. Closing it
     * leaves the transport open. Without a choice of nodes, this exchanger itself.
     */
    default Exchanger spread() {
        return this;
    }

    /** Whether every API node of this exchanger takes streamed reads (all are reached over the TCP transport). */
    default boolean streams() {
        return false;
    }

    /**
     * Opens a streamed read at the node this exchanger would send a call to, failing over as a call does
     * ({@link Endpoint#stream}); only where {@link #streams()}. A lost STREAM frame is a {@link TransientFailure}.
     */
    default StreamLink stream(byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
            throws TransientFailure, InterruptedException {
        throw new UnsupportedOperationException("this transport does not take streamed reads");
    }

    @Override
    void close();
}
