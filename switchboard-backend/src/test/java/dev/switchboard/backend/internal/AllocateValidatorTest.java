package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllocateValidatorTest {
    private final CursorCodec codec = new CursorCodec("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8));
    private final AllocateValidator validator = new AllocateValidator(codec);

    @ParameterizedTest
    @ValueSource(strings = {"orders", "a", "orders.v1", "Orders_2-x"})
    void legalTopicNamesPass(String topic) {
        assertThat(validator.validate(reader(topic)).topic()).isEqualTo(topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "has space", "slash/topic", "ünïcode", "__consumer_offsets"})
    void illegalTopicNamesAreInvalid(String topic) {
        assertInvalid(() -> validator.validate(reader(topic)), "topic");
    }

    @Test
    void aTopicLongerThanKafkaAllowsIsInvalid() {
        assertInvalid(() -> validator.validate(reader("t".repeat(250))), "249");
    }

    @Test
    void missingFieldsAreInvalid() {
        assertInvalid(() -> validator.validate(new AllocateRequest()), "topic is required");
        assertInvalid(() -> validator.validate(new AllocateRequest().setTopic("orders")), "mode");
    }

    @Test
    void aReaderStartsAtTheEarliestByDefault() {
        assertThat(validator.validate(reader("orders")).start()).isEqualTo(new ReadStart.Earliest());
    }

    @Test
    void aReaderMayStartAtTheLatestOrATimestamp() {
        assertThat(validator
                        .validate(reader("orders").setStartFrom(StartFrom.LATEST))
                        .start())
                .isEqualTo(new ReadStart.Latest());
        assertThat(validator
                        .validate(reader("orders")
                                .setStartFrom(StartFrom.TIMESTAMP)
                                .setStartTimestamp(42))
                        .start())
                .isEqualTo(new ReadStart.AtTimestamp(42));
        assertInvalid(() -> validator.validate(reader("orders").setStartFrom(StartFrom.TIMESTAMP)), "startTimestamp");
    }

    @Test
    void aCursorWinsOverStartFrom() {
        // Given
        Cursor cursor = Cursor.of("orders", Map.of(0, 5L));

        // When
        AllocationSpec spec = validator.validate(
                reader("orders").setCursor(codec.encode(cursor)).setStartFrom(StartFrom.LATEST));

        // Then
        assertThat(spec.start()).isEqualTo(new ReadStart.FromCursor(cursor));
    }

    @Test
    void aCursorOfAnotherTopicIsInvalid() {
        String cursor = codec.encode(Cursor.of("payments", Map.of(0, 5L)));

        assertInvalid(() -> validator.validate(reader("orders").setCursor(cursor)), "another topic");
    }

    @Test
    void aTamperedCursorIsInvalid() {
        // Given
        String cursor = codec.encode(Cursor.of("orders", Map.of(0, 5L)));
        char last = cursor.charAt(cursor.length() - 2);
        String tampered = cursor.substring(0, cursor.length() - 2)
                + (last == 'A' ? 'B' : 'A')
                + cursor.charAt(cursor.length() - 1);

        // Then
        assertInvalid(() -> validator.validate(reader("orders").setCursor(tampered)), "cursor");
    }

    @Test
    void aWriterKeepsItsIdAndHint() {
        // When
        AllocationSpec spec = validator.validate(
                writer("orders").setWriterId("svc-a:instance.1_x").setLastCommittedSeq(7));

        // Then
        assertThat(spec.mode()).isEqualTo(SessionMode.WRITE);
        assertThat(spec.writerId()).contains("svc-a:instance.1_x");
        assertThat(spec.lastCommittedHint()).isEqualTo(7);
    }

    @Test
    void aWriterWithoutIdGetsOneLater() {
        AllocationSpec spec = validator.validate(writer("orders"));

        assertThat(spec.writerId()).isEmpty();
        assertThat(spec.lastCommittedHint()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/x", "ü"})
    void anIllegalWriterIdIsInvalid(String writerId) {
        assertInvalid(() -> validator.validate(writer("orders").setWriterId(writerId)), "writerId");
    }

    @Test
    void aWriterIdLongerThan128IsInvalid() {
        assertInvalid(() -> validator.validate(writer("orders").setWriterId("w".repeat(129))), "writerId");
    }

    @Test
    void aNegativeHintIsInvalid() {
        assertInvalid(() -> validator.validate(writer("orders").setLastCommittedSeq(-1)), "lastCommittedSeq");
    }

    @Test
    void aHintBeyondTheLargestSeqIsInvalidSoNoCounterCanOverflow() {
        assertInvalid(
                () -> validator.validate(writer("orders").setLastCommittedSeq(Long.MAX_VALUE)), "lastCommittedSeq");
        assertInvalid(
                () -> validator.validate(writer("orders").setLastCommittedSeq(WriteMachine.MAX_SEQ + 1)),
                "lastCommittedSeq");
    }

    @Test
    void aWriterCarriesThePrincipalTheApiTierSet() {
        assertThat(validator.validate(writer("orders").setPrincipal("alice")).principal())
                .isEqualTo("alice");
        assertThat(validator.validate(writer("orders")).principal()).isEmpty();
    }

    @Test
    void aWriterCarriesItsGuaranteeAtLeastOnceByDefault() {
        assertThat(validator
                        .validate(writer("orders").setGuarantee(Guarantee.EXACTLY_ONCE))
                        .guarantee())
                .isEqualTo(Guarantee.EXACTLY_ONCE);
        assertThat(validator.validate(writer("orders")).guarantee()).isEqualTo(Guarantee.AT_LEAST_ONCE);
    }

    private static AllocateRequest reader(String topic) {
        return new AllocateRequest(topic, SessionMode.READ);
    }

    private static AllocateRequest writer(String topic) {
        return new AllocateRequest(topic, SessionMode.WRITE);
    }

    private static void assertInvalid(ThrowingCallable call, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        SwitchboardException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining(messagePart);
    }
}
