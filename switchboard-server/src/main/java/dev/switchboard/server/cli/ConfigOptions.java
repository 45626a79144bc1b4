package dev.switchboard.server.cli;

import dev.switchboard.server.config.NodeConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The configuration model's sources every server command takes: {@code --config FILE} (YAML), the {@code
 * SWITCHBOARD_*} environment variables, and {@code --set KEY=VALUE} for any key (the command's own flags sit
 * between the environment and {@code --set}). See docs/configuration.md.
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (docs/configuration.md)")
    @Nullable
    Path config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "set any configuration key, e.g. --set tail-cache-bytes=0; wins over file, environment"
                    + " and the other flags")
    Map<String, String> sets = new LinkedHashMap<>();

    /** The file (when given), then the environment of this process. */
    NodeConfig.Builder fileAndEnvironment() {
        NodeConfig.Builder builder = NodeConfig.builder();
        if (config != null) {
            builder.file(config);
        }
        return builder.environment(System.getenv());
    }

    NodeConfig.Builder withSets(NodeConfig.Builder builder) {
        return builder.set(sets);
    }
}
