package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    @Test
    void everyCodeMapsToTheThriftEnumAndBack() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(code.toThrift()).as(code.name()).isNotNull();
            assertThat(code.toThrift().name()).isEqualTo(code.name());
            assertThat(ErrorCode.fromThrift(code.toThrift())).isEqualTo(code);
        }
        assertThat(dev.switchboard.protocol.thrift.ErrorCode.values()).hasSameSizeAs(ErrorCode.values());
    }

    @Test
    void unknownCodesReadAsInternal() {
        assertThat(ErrorCode.forCode(999)).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void exceptionRoundTripsThroughThriftKeepingItsDetails() {
        SwitchboardException original = SwitchboardException.outOfSequence(7, "expected 7");

        SwitchboardException back = SwitchboardException.fromThrift(original.toThrift());

        assertThat(back.code()).isEqualTo(ErrorCode.OUT_OF_SEQUENCE);
        assertThat(back.expectedSeq()).hasValue(7);
        assertThat(back.getMessage()).isEqualTo("expected 7");
        assertThat(back.retryAfterMs()).isEmpty();
    }
}
