package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    /**
     * The numbers clients branch on (Thrift, JSON, the Python SDK, docs/errors.md). They never change: a new code
     * gets the next free number and a line here; a changed number or an unpinned code fails this test.
     */
    private static final Map<String, Integer> PINNED = pinned(
            "UNAUTHENTICATED", 1,
            "FORBIDDEN", 2,
            "INVALID_REQUEST", 3,
            "OUT_OF_SEQUENCE", 4,
            "SESSION_LOST", 5,
            "BUSY", 6,
            "DRAINING", 7,
            "TOPIC_NOT_FOUND", 8,
            "PAYLOAD_TOO_LARGE", 9,
            "UNAVAILABLE", 10,
            "INTERNAL", 11);

    @Test
    void everyCodeKeepsItsPinnedNumber() {
        Map<String, Integer> actual = Arrays.stream(ErrorCode.values())
                .collect(Collectors.toMap(ErrorCode::name, ErrorCode::code, (a, b) -> a, LinkedHashMap::new));

        assertThat(actual)
                .as("ErrorCode numbers are a wire contract: pin a new code here, never renumber one")
                .containsExactlyInAnyOrderEntriesOf(PINNED);
    }

    @Test
    void theThriftEnumCarriesThePinnedNumbers() {
        Map<String, Integer> thrift = Arrays.stream(dev.switchboard.protocol.thrift.ErrorCode.values())
                .collect(Collectors.toMap(
                        dev.switchboard.protocol.thrift.ErrorCode::name,
                        dev.switchboard.protocol.thrift.ErrorCode::getValue,
                        (a, b) -> a,
                        LinkedHashMap::new));

        assertThat(thrift)
                .as("switchboard.thrift's ErrorCode must match the pinned numbers")
                .containsExactlyInAnyOrderEntriesOf(PINNED);
    }

    @Test
    void docsErrorsListsEveryCodeWithItsPinnedNumber() throws Exception {
        // Given the table of docs/errors.md, one "| <number> | `<NAME>` | ..." row per code
        Map<String, Integer> documented = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\| `([A-Z_]+)` \\|")
                .matcher(Files.readString(Path.of("../docs/errors.md"), StandardCharsets.UTF_8));
        while (row.find()) {
            documented.put(row.group(2), Integer.parseInt(row.group(1)));
        }

        // Then it lists exactly the pinned codes, each with its number
        assertThat(documented)
                .as("docs/errors.md must list every ErrorCode with its number")
                .containsExactlyInAnyOrderEntriesOf(PINNED);
    }

    @Test
    void numbersAreUniqueAndForCodeFindsEachOne() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.forCode(code.code())).as(code.name()).isEqualTo(code);
        }
    }

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

    private static Map<String, Integer> pinned(Object... nameThenNumber) {
        Map<String, Integer> table = new LinkedHashMap<>();
        for (int i = 0; i < nameThenNumber.length; i += 2) {
            table.put((String) nameThenNumber[i], (Integer) nameThenNumber[i + 1]);
        }
        return table;
    }
}
