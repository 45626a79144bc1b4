package dev.switchboard.switching;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SwitchResponse;

/** Builds error responses, so every switch answers failures in the one error shape. */
public final class SwitchResponses {
    private SwitchResponses() {}

    public static SwitchResponse error(ErrorCode code, String message) {
        return error(SwitchboardException.of(code, message));
    }

    public static SwitchResponse error(SwitchboardException exception) {
        return SwitchResponse.error(exception.toThrift());
    }
}
