package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.SessionLimits;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Event;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ChunkValidatorTest {
    private final ChunkValidator validator = new ChunkValidator(SessionLimits.builder()
            .maxEventsPerChunk(3)
            .maxBytesPerChunk(100)
            .maxEventBytes(40)
            .build());

    @Test
    void aChunkWithinTheLimitsPasses() {
        assertThatCode(() -> validator.validate(1, List.of(event(40), event(40), event(20))))
                .doesNotThrowAnyException();
    }

    @Test
    void anEmptyChunkIsInvalid() {
        assertRejected(() -> validator.validate(1, List.of()), ErrorCode.INVALID_REQUEST, "empty");
        assertRejected(() -> validator.validate(1, null), ErrorCode.INVALID_REQUEST, "empty");
    }

    @Test
    void tooManyEventsAreTooLarge() {
        assertRejected(
                () -> validator.validate(2, Collections.nCopies(4, event(1))),
                ErrorCode.PAYLOAD_TOO_LARGE,
                "max-events-per-chunk is 3");
    }

    @Test
    void anEventOverTheLimitIsTooLargeCountingKeyAndHeaders() {
        // Given: 30 bytes of payload, 5 of key, header "h" (1) + 5 = 41 bytes
        Event event =
                event(30).setKey(ByteBuffer.wrap(new byte[5])).setHeaders(Map.of("h", ByteBuffer.wrap(new byte[5])));

        // Then
        assertRejected(
                () -> validator.validate(3, List.of(event)), ErrorCode.PAYLOAD_TOO_LARGE, "event 0 of chunk 3 has 41");
    }

    @Test
    void aChunkOverItsByteLimitIsTooLarge() {
        assertRejected(
                () -> validator.validate(1, List.of(event(40), event(40), event(21))),
                ErrorCode.PAYLOAD_TOO_LARGE,
                "max-bytes-per-chunk is 100");
    }

    @Test
    void malformedEventsAreInvalid() {
        assertRejected(() -> validator.validate(1, List.of(new Event())), ErrorCode.INVALID_REQUEST, "no payload");
        assertRejected(
                () -> validator.validate(1, List.of(event(1).setTimestamp(-5))),
                ErrorCode.INVALID_REQUEST,
                "negative timestamp");
        assertRejected(
                () -> validator.validate(1, List.of(event(1).setHeaders(Map.of("", ByteBuffer.allocate(0))))),
                ErrorCode.INVALID_REQUEST,
                "header without a name");
    }

    private static Event event(int payloadBytes) {
        return new Event().setPayload(ByteBuffer.wrap(new byte[payloadBytes]));
    }

    private static void assertRejected(ThrowingCallable call, ErrorCode code, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SwitchboardException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(messagePart);
    }
}
