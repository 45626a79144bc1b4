package dev.switchboard.api.internal;

import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.WriteRequest;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;

/**
 * The calls of service {@code Switchboard} as the JSON mapping serves them, {@code POST /v1/json/<name>}: the body
 * is the call's request struct, the answer its response struct. A test checks this list against the IDL's service.
 */
enum JsonCall {
    ALLOCATE("allocate", AllocateRequest.class) {
        @Override
        TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException {
            return calls.allocate((AllocateRequest) request);
        }
    },
    READ("read", ReadRequest.class) {
        @Override
        TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException {
            return calls.read((ReadRequest) request);
        }
    },
    ACK("ack", AckRequest.class) {
        @Override
        TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException {
            return calls.ack((AckRequest) request);
        }
    },
    WRITE("write", WriteRequest.class) {
        @Override
        TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException {
            return calls.write((WriteRequest) request);
        }
    },
    COMMIT("commit", CommitRequest.class) {
        @Override
        TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException {
            return calls.commit((CommitRequest) request);
        }
    },
    DISPOSE("dispose", DisposeRequest.class) {
        @Override
        TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException {
            return calls.dispose((DisposeRequest) request);
        }
    };

    private final String callName;
    private final Class<? extends TBase<?, ?>> requestType;

    JsonCall(String callName, Class<? extends TBase<?, ?>> requestType) {
        this.callName = callName;
        this.requestType = requestType;
    }

    /** The IDL's name of the call, the last segment of its path. */
    String callName() {
        return callName;
    }

    Class<? extends TBase<?, ?>> requestType() {
        return requestType;
    }

    /** Runs the call; every protocol failure leaves as the IDL's {@code SwitchboardError}. */
    abstract TBase<?, ?> run(Switchboard.Iface calls, TBase<?, ?> request) throws TException;
}
