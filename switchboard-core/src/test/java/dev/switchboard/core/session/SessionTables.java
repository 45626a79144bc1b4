package dev.switchboard.core.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.protocol.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The transition tables of both machines, kept in docs/vectors/session-machines.json so that other SDKs' ports
 * (the Python SDK) are checked against exactly the same cases. A record is {@code {"kind": <record name>, <component>:
 * <number>...}}; {@code Rejection} rows leave the message open.
 */
final class SessionTables {
    static final Path FILE = Path.of("../docs/vectors/session-machines.json");

    private SessionTables() {}

    /** The rows of table {@code name} ("read" or "write"), whose records are nested in {@code machine}. */
    @SuppressWarnings("unchecked")
    static <S, C, E> Stream<TableRow<S, C, E>> rows(String name, Class<?> machine) {
        JsonNode table;
        try {
            table = new ObjectMapper().readTree(FILE.toFile()).get(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<TableRow<S, C, E>> rows = new ArrayList<>();
        for (JsonNode row : table) {
            List<E> effects = new ArrayList<>();
            row.get("effects").forEach(effect -> effects.add((E) decode(effect, machine)));
            rows.add(new TableRow<>(
                    row.get("name").asText(),
                    (S) decode(row.get("state"), machine),
                    (C) decode(row.get("command"), machine),
                    (S) decode(row.get("next"), machine),
                    List.copyOf(effects)));
        }
        return rows.stream();
    }

    private static Object decode(JsonNode node, Class<?> machine) {
        String kind = node.get("kind").asText();
        if (kind.equals("Rejection")) {
            return TableRow.rejected(
                    ErrorCode.valueOf(node.get("code").asText()),
                    node.get("expectedSeq").asLong(),
                    node.get("retryAfterMs").asLong());
        }
        try {
            Class<?> type = Class.forName(machine.getName() + "$" + kind);
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                JsonNode value = node.get(components[i].getName());
                if (value == null) {
                    throw new IllegalArgumentException(kind + " lacks " + components[i].getName() + ": " + node);
                }
                values[i] = types[i] == int.class ? (Object) value.asInt() : (Object) value.asLong();
            }
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot make " + kind + " of " + machine.getSimpleName(), e);
        }
    }
}
