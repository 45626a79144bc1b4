package dev.switchboard.api.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.util.function.Function;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a call expects back over the switch, and how to take it out of the {@link SwitchResponse}: the error it
 * holds is thrown; the wrong kind of answer, or one missing required fields, is the backend's bug and becomes
 * INTERNAL rather than a reply the client cannot decode.
 */
record Answer<T>(SwitchResponse._Fields field, Function<SwitchResponse, T> value, Check<T> check) {
    private static final Logger LOGGER = LoggerFactory.getLogger(Answer.class);

    static final Answer<AllocateResponse> ALLOCATE =
            new Answer<>(SwitchResponse._Fields.ALLOCATE, SwitchResponse::getAllocate, AllocateResponse::validate);
    static final Answer<ReadResponse> READ =
            new Answer<>(SwitchResponse._Fields.READ, SwitchResponse::getRead, ReadResponse::validate);
    static final Answer<AckResponse> ACK =
            new Answer<>(SwitchResponse._Fields.ACK, SwitchResponse::getAck, AckResponse::validate);
    static final Answer<WriteResponse> WRITE =
            new Answer<>(SwitchResponse._Fields.WRITE, SwitchResponse::getWrite, WriteResponse::validate);
    static final Answer<CommitResponse> COMMIT =
            new Answer<>(SwitchResponse._Fields.COMMIT, SwitchResponse::getCommit, CommitResponse::validate);
    static final Answer<DisposeResponse> DISPOSE =
            new Answer<>(SwitchResponse._Fields.DISPOSE, SwitchResponse::getDispose, DisposeResponse::validate);

    /** The generated structs' {@code validate()}: throws when a required field is missing. */
    @FunctionalInterface
    interface Check<T> {
        void validate(T value) throws TException;
    }

    T unpack(SwitchResponse response) {
        if (response.isSetError()) {
            // Round-trips through the error model so a sloppy error (no code, no message) is made whole.
            throw SwitchboardException.fromThrift(response.getError());
        }
        if (response.getSetField() != field) {
            LOGGER.error("backend answered the wrong call expected={} got={}", field, response.getSetField());
            throw SwitchboardException.of(ErrorCode.INTERNAL, "the backend gave an unexpected answer; retry");
        }
        T result = value.apply(response);
        try {
            check.validate(result);
        } catch (TException e) {
            LOGGER.error("backend answer is missing required fields call={}", field, e);
            throw SwitchboardException.of(ErrorCode.INTERNAL, "the backend gave an incomplete answer; retry");
        }
        return result;
    }
}
