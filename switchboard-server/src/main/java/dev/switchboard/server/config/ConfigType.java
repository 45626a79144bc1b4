package dev.switchboard.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The type of a configuration key: its name in docs/configuration.md, how its text (from YAML, an environment
 * variable or a flag) becomes a value, and how a value is shown. A parser throws IllegalArgumentException with a
 * message that does not name the key (the model adds the key and where the value came from).
 *
 * @param name the type as docs/configuration.md names it
 * @param parser text to value
 * @param format value to text (the same text parses back to the same value)
 */
public record ConfigType<T>(String name, Function<String, T> parser, Function<T, String> format) {

    public static final ConfigType<String> STRING = new ConfigType<>("string", ConfigType::nonEmpty, text -> text);
    public static final ConfigType<Integer> INT = new ConfigType<>("int", ConfigType::parseInt, String::valueOf);
    public static final ConfigType<Long> LONG = new ConfigType<>("long", ConfigType::parseLong, String::valueOf);
    public static final ConfigType<Boolean> BOOLEAN =
            new ConfigType<>("boolean", ConfigType::parseBoolean, String::valueOf);
    /** ISO-8601, e.g. PT30S, PT24H, P7D: one format everywhere. */
    public static final ConfigType<Duration> DURATION =
            new ConfigType<>("duration", ConfigType::parseDuration, Duration::toString);

    public static final ConfigType<Path> PATH =
            new ConfigType<>("path", text -> Path.of(nonEmpty(text)), Path::toString);
    public static final ConfigType<URI> URL = new ConfigType<>("url", ConfigType::parseUrl, URI::toString);
    /**
     * A map of names to texts: a YAML mapping, or {@code name=value,name=value} in an environment variable or
     * flag.
     */
    public static final ConfigType<Map<String, String>> MAP =
            new ConfigType<>("map", ConfigType::parseMap, ConfigType::formatMap);

    /** One of a fixed set of words, e.g. {@code oneOf("json", "text")}. */
    public static ConfigType<String> oneOf(String... choices) {
        List<String> allowed = List.of(choices);
        return new ConfigType<>(
                String.join("|", allowed),
                text -> {
                    if (!allowed.contains(text.strip())) {
                        throw new IllegalArgumentException(
                                "must be one of " + String.join(", ", allowed) + ", got: " + text);
                    }
                    return text.strip();
                },
                text -> text);
    }

    public T parse(String text) {
        return parser.apply(text);
    }

    public String show(T value) {
        return format.apply(value);
    }

    private static String nonEmpty(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text.strip();
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected an integer, got: " + text);
        }
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected an integer, got: " + text);
        }
    }

    private static boolean parseBoolean(String text) {
        return switch (text.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got: " + text);
        };
    }

    private static Duration parseDuration(String text) {
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("must be an ISO-8601 duration such as PT24H or P7D, got: " + text);
        }
    }

    private static URI parseUrl(String text) {
        try {
            URI uri = new URI(nonEmpty(text));
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("not a URL (no scheme)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + e.getReason() + ")");
        }
    }

    private static Map<String, String> parseMap(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        if (text.isBlank()) {
            return Map.of();
        }
        for (String entry : text.split(",")) {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("expected name=value[,name=value...], got an entry without '='");
            }
            map.put(
                    entry.substring(0, equals).strip(),
                    entry.substring(equals + 1).strip());
        }
        return Collections.unmodifiableMap(map);
    }

    private static String formatMap(Map<String, String> map) {
        StringBuilder text = new StringBuilder();
        map.forEach((name, value) ->
                text.append(text.isEmpty() ? "" : ",").append(name).append('=').append(value));
        return text.toString();
    }
}
