package dev.switchboard.client.internal;

/**
 * The client's side of one open streamed read: what it sends the server. Sending never throws: a failed write fails
 * the connection, and the stream's {@link StreamSink} learns of it ({@link StreamSink#lost}).
 */
interface StreamLink {
    /** Returns the credit of batches up to {@code seq} (a CREDIT frame). */
    void credit(long seq);

    /** Asks the server to end the stream (a CANCEL frame); its END may still come, and is ignored. */
    void cancel();
}
