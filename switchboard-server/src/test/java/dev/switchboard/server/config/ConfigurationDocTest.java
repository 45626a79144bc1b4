package dev.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every key of {@link ConfigKeys} with its type, default and roles, and no key that
 * is not one: the page and the code cannot drift apart.
 */
class ConfigurationDocTest {
    /** A row of the keys table: | `name` | type | default | roles | description |. */
    record Row(String name, String type, String defaultText, String roles, String description) {}

    static Path page() {
        for (Path candidate : List.of(Path.of("docs/configuration.md"), Path.of("../docs/configuration.md"))) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(
                "docs/configuration.md not found from " + Path.of("").toAbsolutePath());
    }

    static Map<String, Row> rows() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(page())) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = Arrays.stream(
                            line.substring(1, line.lastIndexOf('|')).split("\\|"))
                    .map(String::strip)
                    .toArray(String[]::new);
            assertThat(cells).as("a keys table row has 5 cells: " + line).hasSize(5);
            String name = cells[0].replace("`", "");
            Row row = new Row(name, cells[1], cells[2].replace("`", ""), cells[3], cells[4]);
            assertThat(rows.put(name, row)).as("listed twice: " + name).isNull();
        }
        return rows;
    }

    @Test
    void thePageListsEveryKeyWithItsTypeDefaultAndRoles() throws IOException {
        Map<String, Row> rows = rows();
        List<String> problems = new ArrayList<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            Row row = rows.remove(key.name());
            if (row == null) {
                problems.add("missing from docs/configuration.md: " + expectedRow(key));
                continue;
            }
            String roles = key.roles().stream().sorted().map(Role::cliName).collect(Collectors.joining(", "));
            if (!row.type().equals(key.type().name())
                    || !row.defaultText().equals(key.defaultText())
                    || !row.roles().equals(roles)
                    || row.description().isBlank()) {
                problems.add("docs/configuration.md disagrees with ConfigKeys for " + key.name() + ": expected "
                        + expectedRow(key));
            }
        }
        rows.keySet()
                .forEach(name -> problems.add("docs/configuration.md lists a key the code does not have: " + name));
        assertThat(problems).isEmpty();
    }

    /** The row the page should have, so that a failure says what to paste. */
    private static String expectedRow(ConfigKey<?> key) {
        String roles = key.roles().stream().sorted().map(Role::cliName).collect(Collectors.joining(", "));
        return "| `" + key.name() + "` | " + key.type().name() + " | `" + key.defaultText() + "` | " + roles + " | "
                + key.description() + " |";
    }
}
