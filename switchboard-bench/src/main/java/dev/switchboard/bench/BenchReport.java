package dev.switchboard.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** What a finished run reports besides its phase lines: the last line, and the whole run as JSON. */
public interface BenchReport {

    /** The last line of the output, starting with {@code ratio=}. */
    String summaryLine();

    /** The whole run as a JSON object: maps, lists, strings and numbers; null where a figure is not known. */
    Map<String, Object> json();

    /** {@link #json()} as indented JSON text. */
    default String toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bench result cannot be written as JSON", e);
        }
    }

    /** Holds the shared mapper (an interface cannot have private fields). */
    final class Json {
        private static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {}
    }
}
