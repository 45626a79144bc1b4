package dev.switchboard.server.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One setting of the configuration model: its name (kebab-case, {@code .} between a section and its keys), type,
 * default, the roles that read it, a one-line description, a check of its value, and how it is shown when the
 * effective configuration is printed (secrets masked). Every key is defined once, in {@link ConfigKeys}.
 *
 * @param name the key as written in YAML ({@code oauth.issuer} is {@code issuer} under {@code oauth:})
 * @param type how its text becomes a value
 * @param defaultValue the value when nothing sets it; null when it has none (required, optional or computed)
 * @param defaultText the default as docs/configuration.md shows it ("none" when there is none)
 * @param roles the roles that read it
 * @param description one line for docs/configuration.md and {@code switchboard config}
 * @param check throws IllegalArgumentException (message without the key) when a value is not acceptable
 * @param display the value as {@code switchboard config} prints it: secrets masked
 */
public record ConfigKey<T>(
        String name,
        ConfigType<T> type,
        @Nullable T defaultValue,
        String defaultText,
        Set<Role> roles,
        String description,
        Consumer<T> check,
        Function<T, String> display) {

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*")) {
            throw new IllegalArgumentException("a key is kebab-case words joined by '.', got: " + name);
        }
        roles = Set.copyOf(roles);
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(name + ": read by no role");
        }
    }

    /** A key with a default (null: none) that every role in {@code roles} reads. */
    static <T> ConfigKey<T> of(
            String name, ConfigType<T> type, @Nullable T defaultValue, String description, Role... roles) {
        return new ConfigKey<>(
                name,
                type,
                defaultValue,
                defaultValue == null ? "none" : type.show(defaultValue),
                EnumSet.of(roles[0], roles),
                description,
                value -> {},
                type::show);
    }

    /** This key, with {@code check} run on every value it is given. */
    ConfigKey<T> checked(Consumer<T> newCheck) {
        return new ConfigKey<>(name, type, defaultValue, defaultText, roles, description, newCheck, display);
    }

    /** This key, documented with a default computed at start (e.g. {@code host-pid-random}). */
    ConfigKey<T> defaultText(String text) {
        return new ConfigKey<>(name, type, defaultValue, text, roles, description, check, display);
    }

    /** This key, shown by {@code switchboard config} through {@code masking} (which hides secrets). */
    ConfigKey<T> displayedAs(Function<T, String> masking) {
        return new ConfigKey<>(name, type, defaultValue, defaultText, roles, description, check, masking);
    }

    /** {@code SWITCHBOARD_} + the name upper-cased, {@code -} and {@code .} as {@code _}. */
    public String environmentVariable() {
        return "SWITCHBOARD_" + name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    public boolean readBy(Role role) {
        return roles.contains(role);
    }

    /** Parses and checks {@code text}; a bad value is a ConfigException naming this key and {@code source}. */
    T parse(String text, String source) {
        T value;
        try {
            value = type.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    name + ": " + e.getMessage() + " (not a valid configuration value in " + source + ")");
        }
        return checkedValue(value, source);
    }

    T checkedValue(T value, String source) {
        try {
            check.accept(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage() + " (" + source + ")", e);
        }
        return value;
    }

    String show(Object value) {
        @SuppressWarnings("unchecked")
        T typed = (T) value;
        return display.apply(typed);
    }

    @Override
    public String toString() {
        return name;
    }
}
