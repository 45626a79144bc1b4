package dev.switchboard.client.internal;

import dev.switchboard.protocol.EncodeBuffer;
import java.nio.ByteBuffer;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * An in-memory Thrift transport for one call over HTTP: the generated client writes its call into a byte
 * buffer, {@link #flush()} marks the call complete, the caller posts {@link #request()} and hands the response
 * body to {@link #respond(byte[])}, from which the client then reads its answer. Several responses may be handed
 * in one after the other (one per attempt); each read starts at the start of the latest.
 *
 * <p>Exposes the response as its own buffer, so the compact protocol reads binary fields without copying.
 * Confined to one thread.
 */
final class BufferTransport extends TTransport {
    private static final TConfiguration CONFIGURATION = TConfiguration.custom()
            .setMaxMessageSize(Integer.MAX_VALUE)
            .setMaxFrameSize(Integer.MAX_VALUE)
            .build();
    private static final byte[] EMPTY = new byte[0];

    private final EncodeBuffer written;
    private boolean flushed;
    private byte[] input = EMPTY;
    private int position;

    BufferTransport() {
        this(256);
    }

    /** A transport whose request buffer starts at {@code requestBytes}, so a call of about that size never grows it. */
    BufferTransport(int requestBytes) {
        this.written = new EncodeBuffer(requestBytes);
    }

    /** The complete call the client wrote; valid once the client flushed. */
    byte[] request() {
        if (!flushed) {
            throw new IllegalStateException("the Thrift call was not completed");
        }
        return written.toByteArray();
    }

    /** Makes {@code body} the bytes the client reads next, from its start. */
    void respond(byte[] body) {
        input = body;
        position = 0;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void open() {}

    @Override
    public void close() {}

    @Override
    public int read(byte[] buffer, int offset, int length) throws TTransportException {
        int available = Math.min(length, input.length - position);
        if (available <= 0 && length > 0) {
            throw new TTransportException(TTransportException.END_OF_FILE, "the response ended early");
        }
        System.arraycopy(input, position, buffer, offset, available);
        position += available;
        return available;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        if (flushed) {
            throw new IllegalStateException("one Thrift call per transport");
        }
        written.write(buffer, offset, length);
    }

    /** Binary fields (event payloads) go straight into the request, without Thrift's intermediate copy. */
    @Override
    public int write(ByteBuffer source) {
        if (flushed) {
            throw new IllegalStateException("one Thrift call per transport");
        }
        return written.write(source);
    }

    @Override
    public void flush() {
        flushed = true;
    }

    @Override
    public byte[] getBuffer() {
        return input;
    }

    @Override
    public int getBufferPosition() {
        return position;
    }

    @Override
    public int getBytesRemainingInBuffer() {
        return input.length - position;
    }

    @Override
    public void consumeBuffer(int length) {
        position += length;
    }

    @Override
    public TConfiguration getConfiguration() {
        return CONFIGURATION;
    }

    @Override
    public void updateKnownMessageSize(long size) {
        // the whole message is in memory already; nothing to track
    }

    @Override
    public void checkReadBytesAvailable(long numBytes) throws TTransportException {
        if (numBytes > getBytesRemainingInBuffer()) {
            throw new TTransportException(
                    TTransportException.END_OF_FILE, "the response is shorter than the sizes it declares");
        }
    }
}
