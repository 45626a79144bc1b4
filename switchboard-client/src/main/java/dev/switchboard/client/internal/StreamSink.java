package dev.switchboard.client.internal;

import dev.switchboard.protocol.tcp.TcpFrames;

/**
 * Where a connection's reader hands what arrives for one streamed read. Called on the reader's thread: an
 * implementation never blocks. After {@link #end} or {@link #lost} nothing more comes.
 */
interface StreamSink {
    /** A BATCH frame arrived. */
    void batch(TcpFrames.StreamBatch batch);

    /** The server ended the stream (END). */
    void end(TcpFrames.StreamEnd end);

    /** The connection was lost, or the server closed it (GOAWAY): the stream ended without an END. */
    void lost(String reason);
}
