package dev.switchboard.server.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The processes that read the configuration model: each key says which of them read it. */
public enum Role {
    API,
    BACKEND,
    STANDALONE;

    /** The name on the command line and in docs/configuration.md: {@code api}, {@code backend}, ... */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text}; an unknown name is a ConfigException listing the known ones. */
    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.cliName().equals(text)) {
                return role;
            }
        }
        throw new ConfigException("role: must be one of "
                + Arrays.stream(values()).map(Role::cliName).collect(Collectors.joining(", ")) + ", got: " + text);
    }
}
