package dev.switchboard.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Session ids: {@code <shard>.<node>.<random>}, made by the backend and parsed from client requests. */
class SessionIdTest {

    @Test
    void aCreatedIdParsesBackToItself() {
        // Given
        SessionId id = SessionId.create("s0", "node-1_a");

        // When
        SessionId parsed = SessionId.parse(id.toString());

        // Then
        assertThat(parsed).isEqualTo(id);
        assertThat(parsed.shard()).isEqualTo("s0");
        assertThat(parsed.node()).isEqualTo("node-1_a");
        assertThat(id.toString()).startsWith("s0.node-1_a.");
        assertThat(id.random()).hasSize(22); // 128 random bits, base64url without padding
    }

    @Test
    void createdIdsAreDistinct() {
        // When
        Set<SessionId> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(SessionId.create("s1", "n1"));
        }

        // Then
        assertThat(ids).hasSize(1000);
    }

    @Test
    void aWellFormedIdFromAClientIsAccepted() {
        // When
        SessionId parsed = SessionId.parse("A.b_-9." + "x".repeat(64));

        // Then
        assertThat(parsed).isEqualTo(new SessionId("A", "b_-9", "x".repeat(64)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aMissingIdIsAnInvalidRequest(String text) {
        // When
        SwitchboardException error = catchThrowableOfType(SwitchboardException.class, () -> SessionId.parse(text));

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(error.getMessage()).isEqualTo("session id is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s0", "s0.n1", "s0.n1.r.x", ".", "...", "s0.n1.r."})
    void anIdWithoutThreePartsNamesThePartCount(String text) {
        // When
        SwitchboardException error = catchThrowableOfType(SwitchboardException.class, () -> SessionId.parse(text));

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(error.getMessage()).startsWith("malformed session id: expected 3 dot-separated parts");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                ".n1.r:shard",
                "s/0.n1.r:shard",
                "s0..r:node",
                "s0.n 1.r:node",
                "s0.n1.:random",
                "s0.n1.r+/=:random",
                "s0.n1.é:random",
                "s0.n1.r\n:random"
            })
    void aBadPartIsNamed(String textAndPart) {
        // Given an id with one bad part, and the name of that part
        int colon = textAndPart.lastIndexOf(':');
        String text = textAndPart.substring(0, colon);
        String part = textAndPart.substring(colon + 1);

        // When
        SwitchboardException error = catchThrowableOfType(SwitchboardException.class, () -> SessionId.parse(text));

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(error.getMessage()).startsWith("malformed session id: the " + part + " part must be");
    }

    @Test
    void aPartLongerThan64CharactersIsRejectedWithoutEchoingIt() {
        // Given
        String longPart = "y".repeat(65);

        // When
        SwitchboardException error =
                catchThrowableOfType(SwitchboardException.class, () -> SessionId.parse("s0.n1." + longPart));

        // Then
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(error.getMessage()).contains("random part").doesNotContain(longPart);
    }

    @Test
    void aBackendCannotMakeAnIdFromAnInvalidName() {
        assertThatIllegalArgumentException().isThrownBy(() -> SessionId.create("s.0", "n1"));
        assertThatIllegalArgumentException().isThrownBy(() -> SessionId.create("s0", ""));
        assertThatIllegalArgumentException().isThrownBy(() -> new SessionId("s0", "n1", null));
        assertThat(SessionId.isValidPart("shard-7_b")).isTrue();
        assertThat(SessionId.isValidPart(null)).isFalse();
        assertThat(SessionId.isValidPart("a.b")).isFalse();
    }
}
