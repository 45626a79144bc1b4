package dev.switchboard.server.cli;

import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.config.Role;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints the effective configuration of a role as it would start here: file, environment and {@code --set}
 * flags applied, checked like the role checks it, every key the role reads with its value and its source,
 * secrets masked.
 */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Print the effective configuration of a role: every key it reads, its value and where the value came"
                    + " from (file, SWITCHBOARD_* environment variable, flag, default); secrets masked.",
            "Fails, naming the key, when the role would refuse to start with it. Keys: docs/configuration.md."
        })
public final class ConfigCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--role", required = true, paramLabel = "api|backend|standalone", description = "the role")
    String role;

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Override
    public Integer call() {
        Role parsed = Role.parse(role);
        NodeConfig config =
                configOptions.withSets(configOptions.fileAndEnvironment()).build();
        switch (parsed) {
            case API -> ApiSettings.from(config);
            case BACKEND -> BackendSettings.from(config);
            case STANDALONE -> {
                ApiSettings.apiConfig(config);
                BackendSettings.limits(config);
            }
        }
        var out = spec.commandLine().getOut();
        out.println("# effective configuration of role " + parsed.cliName() + ": key: value  # where it came from");
        config.describe(parsed).forEach(out::println);
        out.flush();
        return 0;
    }
}
