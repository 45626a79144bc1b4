package dev.switchboard.client.internal;

import dev.switchboard.protocol.EncodedSize;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;

/**
 * One call of the {@code Switchboard} service as the generated client makes it: how to write the request and
 * how to read the answer. {@link #open} encodes a request once; the returned {@link Exchange} decodes any number
 * of answers to it (one per attempt), because the client's sequence id stays that of the single call.
 */
record ThriftCall<Q, R>(String name, Sender<Q> sender, Receiver<R> receiver) {
    static final ThriftCall<AllocateRequest, AllocateResponse> ALLOCATE =
            new ThriftCall<>("allocate", Switchboard.Client::send_allocate, Switchboard.Client::recv_allocate);
    static final ThriftCall<ReadRequest, ReadResponse> READ =
            new ThriftCall<>("read", Switchboard.Client::send_read, Switchboard.Client::recv_read);
    static final ThriftCall<AckRequest, AckResponse> ACK =
            new ThriftCall<>("ack", Switchboard.Client::send_ack, Switchboard.Client::recv_ack);
    static final ThriftCall<WriteRequest, WriteResponse> WRITE =
            new ThriftCall<>("write", Switchboard.Client::send_write, Switchboard.Client::recv_write);
    static final ThriftCall<CommitRequest, CommitResponse> COMMIT =
            new ThriftCall<>("commit", Switchboard.Client::send_commit, Switchboard.Client::recv_commit);
    static final ThriftCall<DisposeRequest, DisposeResponse> DISPOSE =
            new ThriftCall<>("dispose", Switchboard.Client::send_dispose, Switchboard.Client::recv_dispose);

    @FunctionalInterface
    interface Sender<Q> {
        void send(Switchboard.Client client, Q request) throws TException;
    }

    @FunctionalInterface
    interface Receiver<R> {
        R receive(Switchboard.Client client) throws TException;
    }

    /** Encodes {@code request} as one compact-protocol call message. */
    Exchange<R> open(Q request) {
        // a write's chunk is sized up front: growing a 500 KiB buffer by doubling copies it about ten times
        BufferTransport transport = request instanceof WriteRequest write
                ? new BufferTransport(EncodedSize.ofEvents(write.getEvents()))
                : new BufferTransport();
        Switchboard.Client client = new Switchboard.Client(new TCompactProtocol(transport));
        try {
            sender.send(client, request);
        } catch (TException e) {
            throw new IllegalArgumentException("cannot encode " + name + " request: " + e.getMessage(), e);
        }
        return new Exchange<>(name, transport, client, receiver);
    }

    /** One encoded call and the means to read its answers. Confined to one thread. */
    static final class Exchange<R> {
        private final String name;
        private final BufferTransport transport;
        private final Switchboard.Client client;
        private final Receiver<R> receiver;
        private final byte[] request;

        private Exchange(String name, BufferTransport transport, Switchboard.Client client, Receiver<R> receiver) {
            this.name = name;
            this.transport = transport;
            this.client = client;
            this.receiver = receiver;
            this.request = transport.request();
        }

        String name() {
            return name;
        }

        /** The call message to post. */
        byte[] request() {
            return request;
        }

        /**
         * Reads the answer in {@code response}: the result, or the declared {@code SwitchboardError}, or a
         * {@code TApplicationException}, or a protocol/transport exception when the body is not a valid answer.
         */
        R decode(byte[] response) throws TException {
            transport.respond(response);
            return receiver.receive(client);
        }
    }
}
