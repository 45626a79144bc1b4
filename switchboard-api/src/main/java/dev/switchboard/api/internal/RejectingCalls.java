package dev.switchboard.api.internal;

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
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;

/**
 * Answers every call with one error. Lets the dispatcher reply to a call it could not decode fully (a required
 * field missing) in that call's own result shape, through the generated process function.
 */
final class RejectingCalls implements Switchboard.Iface {
    private final SwitchboardError error;

    RejectingCalls(SwitchboardError error) {
        this.error = error;
    }

    @Override
    public AllocateResponse allocate(AllocateRequest request) throws SwitchboardError {
        throw error;
    }

    @Override
    public ReadResponse read(ReadRequest request) throws SwitchboardError {
        throw error;
    }

    @Override
    public AckResponse ack(AckRequest request) throws SwitchboardError {
        throw error;
    }

    @Override
    public WriteResponse write(WriteRequest request) throws SwitchboardError {
        throw error;
    }

    @Override
    public CommitResponse commit(CommitRequest request) throws SwitchboardError {
        throw error;
    }

    @Override
    public DisposeResponse dispose(DisposeRequest request) throws SwitchboardError {
        throw error;
    }
}
