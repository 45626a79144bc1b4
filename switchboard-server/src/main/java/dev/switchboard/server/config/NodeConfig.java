package dev.switchboard.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The effective configuration of one process: every key of {@link ConfigKeys} with its value and where that value
 * came from. Built in layers, each overriding the ones before: the YAML file, then {@code SWITCHBOARD_*}
 * environment variables, then flags ({@link Builder}). Every value is parsed and checked once, as it is set; a
 * bad one is a {@link ConfigException} naming the key and its source. Rules between keys (an API node needs
 * {@code oauth}, a backend {@code encryption}) are checked by the role's view: {@link ApiSettings}, {@link
 * BackendSettings}.
 *
 * <p>The YAML file: kebab-case keys, sections ({@code oauth:}, {@code tls:}, {@code encryption:}, {@code
 * limits:}) as nested mappings or as dotted keys ({@code oauth.issuer: ...}), unknown keys refused (a typo must
 * not pass silently). One file may serve every node of a cluster: each role reads the keys it uses.
 */
public final class NodeConfig {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper YAML_OUT =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
    private static final String DEFAULT_SOURCE = "default";

    /** A value that something set, and what set it (a file, an environment variable, a flag). */
    private record Setting(Object value, String source) {}

    private final Map<String, Setting> settings;
    private final Set<String> sections;

    private NodeConfig(Map<String, Setting> settings, Set<String> sections) {
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        this.sections = Set.copyOf(sections);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Nothing set: every key has its default. */
    public static NodeConfig empty() {
        return builder().build();
    }

    /** The YAML file alone; a missing, unreadable or malformed file, or an unknown key, is a ConfigException. */
    public static NodeConfig load(Path file) {
        return builder().file(file).build();
    }

    /** YAML text alone; {@code source} names it in error messages. */
    public static NodeConfig parse(String yaml, String source) {
        return builder().yaml(yaml, source).build();
    }

    /**
     * The value of {@code key}: what was set, else its default. For a key without a default, read it with
     * {@link #find} (or after checking {@code find} found it): here it throws an IllegalStateException when unset.
     */
    public <T> T get(ConfigKey<T> key) {
        return find(key)
                .orElseThrow(() -> new IllegalStateException(
                        key.name() + " has no value and no default: read it with find(), not get()"));
    }

    /** The value of {@code key}, empty when neither set nor defaulted. */
    public <T> Optional<T> find(ConfigKey<T> key) {
        Setting setting = settings.get(key.name());
        @SuppressWarnings("unchecked")
        T value = setting == null ? key.defaultValue() : (T) setting.value();
        return Optional.ofNullable(value);
    }

    public boolean isSet(ConfigKey<?> key) {
        return settings.containsKey(key.name());
    }

    /** Where the value of {@code key} came from: {@code file F}, {@code environment variable V}, a flag, or default. */
    public String source(ConfigKey<?> key) {
        Setting setting = settings.get(key.name());
        return setting == null ? DEFAULT_SOURCE : setting.source();
    }

    /** True when the file has the section (even empty, e.g. {@code tls: {}}) or any of its keys is set. */
    public boolean hasSection(String section) {
        return sections.contains(section)
                || settings.keySet().stream().anyMatch(name -> name.startsWith(section + "."));
    }

    /** This configuration with every value {@code other} sets replacing this one's. */
    public NodeConfig overriddenBy(NodeConfig other) {
        Map<String, Setting> merged = new LinkedHashMap<>(settings);
        merged.putAll(other.settings);
        Set<String> allSections = new LinkedHashSet<>(sections);
        allSections.addAll(other.sections);
        return new NodeConfig(merged, allSections);
    }

    /**
     * The effective configuration of {@code role} as {@code switchboard config} prints it: one line per key it
     * reads, {@code key: value  # source}, secrets masked; keys without a value are commented out.
     */
    public List<String> describe(Role role) {
        List<String> lines = new ArrayList<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            if (!key.readBy(role)) {
                continue;
            }
            Optional<?> value = find(key);
            if (value.isEmpty()) {
                lines.add("# " + key.name() + ": (not set"
                        + ("none".equals(key.defaultText()) ? "" : "; default " + key.defaultText()) + ")");
            } else {
                lines.add(key.name() + ": " + quoted(key.show(value.get())) + "  # " + source(key));
            }
        }
        return lines;
    }

    /** The values that were set, as a YAML file that {@link #load} reads back to the same values. */
    public String toYaml() {
        Map<String, Object> tree = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            Setting setting = settings.get(key.name());
            if (setting == null) {
                continue;
            }
            Object text = setting.value() instanceof Map<?, ?> map ? map : showRaw(key, setting.value());
            String[] path = key.name().split("\\.");
            Map<String, Object> parent = tree;
            for (int i = 0; i < path.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> child =
                        (Map<String, Object>) parent.computeIfAbsent(path[i], name -> new LinkedHashMap<>());
                parent = child;
            }
            parent.put(path[path.length - 1], text);
        }
        try {
            return YAML_OUT.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> String showRaw(ConfigKey<T> key, Object value) {
        return key.type().show((T) value);
    }

    private static String quoted(String text) {
        if (text.matches("[A-Za-z0-9_./,=+-]*") && !text.isEmpty()) {
            return text;
        }
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Builds a configuration in layers: each call overrides what the calls before it set, so call {@link #file},
     * then {@link #environment}, then {@link #flag} / {@link #set}.
     */
    public static final class Builder {
        private final Map<String, Setting> settings = new LinkedHashMap<>();
        private final Set<String> sections = new LinkedHashSet<>();

        private Builder() {}

        /** The YAML file; a missing, unreadable or malformed file, or an unknown key, is a ConfigException. */
        public Builder file(Path file) {
            String text;
            try {
                text = Files.readString(file);
            } catch (NoSuchFileException e) {
                throw new ConfigException("config file " + file + " does not exist");
            } catch (IOException e) {
                throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
            }
            return yaml(text, file.toString());
        }

        /** YAML text; {@code source} names it in error messages. */
        public Builder yaml(String text, String source) {
            if (text.isBlank()) {
                return this;
            }
            JsonNode root;
            try {
                root = YAML.readTree(text);
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null
                        ? ""
                        : " at line " + e.getLocation().getLineNr();
                throw new ConfigException(
                        source + ": not a valid configuration" + where + ": " + e.getOriginalMessage());
            }
            if (root == null || root.isNull() || root.isMissingNode()) {
                return this;
            }
            if (!root.isObject()) {
                throw new ConfigException(source + ": not a valid configuration: expected a mapping of keys");
            }
            walk(root, "", source);
            return this;
        }

        /**
         * Every {@code SWITCHBOARD_*} variable that names a key ({@code SWITCHBOARD_} + the key upper-cased,
         * {@code -} and {@code .} as {@code _}); map keys take {@code name=value,name=value}. Other variables are
         * left alone ({@code SWITCHBOARD_TOKEN} is the client tools').
         */
        public Builder environment(Map<String, String> environment) {
            for (ConfigKey<?> key : ConfigKeys.all()) {
                String text = environment.get(key.environmentVariable());
                if (text != null) {
                    put(key, text, "environment variable " + key.environmentVariable());
                }
            }
            return this;
        }

        /**
         * The value of a flag for {@code key}: null (and an empty map) means the flag was not given. A text is
         * parsed, a map taken as it is, anything else taken by its text.
         */
        public Builder flag(ConfigKey<?> key, @Nullable Object value, String flag) {
            if (value == null || (value instanceof Map<?, ?> map && map.isEmpty())) {
                return this;
            }
            if (value instanceof Map<?, ?> map) {
                Map<String, String> texts = new LinkedHashMap<>();
                map.forEach((name, text) -> texts.put(String.valueOf(name), String.valueOf(text)));
                settings.put(key.name(), new Setting(checked(key, texts, "flag " + flag), "flag " + flag));
            } else {
                put(key, String.valueOf(value), "flag " + flag);
            }
            return this;
        }

        /** {@code --set key=value} flags: any key by name; an unknown name is a ConfigException. */
        public Builder set(Map<String, String> values) {
            values.forEach((name, text) -> {
                ConfigKey<?> key = ConfigKeys.named(name)
                        .orElseThrow(() -> new ConfigException("--set " + name + ": unknown key (known keys: "
                                + String.join(
                                        ", ",
                                        ConfigKeys.all().stream()
                                                .map(ConfigKey::name)
                                                .toList()) + ")"));
                put(key, text, "flag --set " + name);
            });
            return this;
        }

        /** A value set by code (e.g. local-cluster writing its nodes' file), checked like any other. */
        public <T> Builder value(ConfigKey<T> key, T value, String source) {
            if (value != null) {
                settings.put(key.name(), new Setting(key.checkedValue(value, source), source));
            }
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(settings, sections);
        }

        @SuppressWarnings("unchecked")
        private static <T> T checked(ConfigKey<T> key, Object value, String source) {
            return key.checkedValue((T) value, source);
        }

        private void put(ConfigKey<?> key, String text, String source) {
            settings.put(key.name(), new Setting(key.parse(text, source), source));
        }

        private void walk(JsonNode node, String prefix, String source) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                JsonNode value = field.getValue();
                Optional<ConfigKey<?>> key = ConfigKeys.named(path);
                if (key.isPresent()) {
                    readValue(key.get(), value, source);
                } else if (isSection(path)) {
                    sections.add(path);
                    if (value.isObject()) {
                        walk(value, path, source);
                    } else if (!value.isNull()) {
                        throw new ConfigException(source + ": not a valid configuration: '" + path
                                + "' is a section (keys: " + String.join(", ", childNames(path)) + ")");
                    }
                } else {
                    throw new ConfigException(source + ": unknown key '" + path + "' (known keys: "
                            + String.join(", ", childNames(prefix)) + ")");
                }
            }
        }

        private void readValue(ConfigKey<?> key, JsonNode value, String source) {
            if (value.isNull()) {
                return; // "key:" with nothing after it: not set
            }
            String from = "file " + source;
            if (key.type() == ConfigType.MAP) {
                if (!value.isObject()) {
                    throw new ConfigException(
                            source + ": not a valid configuration: '" + key.name() + "' must be a mapping");
                }
                Map<String, String> map = new LinkedHashMap<>();
                flatten(value, "", map, key.name(), source);
                settings.put(key.name(), new Setting(checked(key, Collections.unmodifiableMap(map), from), from));
                return;
            }
            if (!value.isValueNode()) {
                throw new ConfigException(source + ": not a valid configuration: '" + key.name() + "' must be a "
                        + key.type().name() + ", not a " + (value.isObject() ? "mapping" : "list"));
            }
            put(key, value.asText(), from);
        }

        private static void flatten(
                JsonNode node, String prefix, Map<String, String> into, String keyName, String source) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String name = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
                JsonNode value = field.getValue();
                if (value.isObject()) {
                    flatten(value, name, into, keyName, source);
                } else if (value.isValueNode() && !value.isNull()) {
                    into.put(name, value.asText());
                } else {
                    throw new ConfigException(source + ": not a valid configuration: '" + keyName + "." + name
                            + "' must be a single value");
                }
            }
        }

        private static boolean isSection(String path) {
            return ConfigKeys.all().stream().anyMatch(key -> key.name().startsWith(path + "."));
        }

        /** The names one level below {@code prefix} ("" for the top level), for "known keys" messages. */
        private static Set<String> childNames(String prefix) {
            Set<String> names = new TreeSet<>();
            String start = prefix.isEmpty() ? "" : prefix + ".";
            for (ConfigKey<?> key : ConfigKeys.all()) {
                if (key.name().startsWith(start)) {
                    names.add(key.name().substring(start.length()).split("\\.")[0]);
                }
            }
            return names;
        }
    }
}
