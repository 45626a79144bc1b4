package dev.switchboard.server;

import dev.switchboard.server.cli.ApiCommand;
import dev.switchboard.server.cli.BackendCommand;
import dev.switchboard.server.cli.BenchCommand;
import dev.switchboard.server.cli.ClusterCommand;
import dev.switchboard.server.cli.ConfigCommand;
import dev.switchboard.server.cli.ConsumeCommand;
import dev.switchboard.server.cli.InternalKafkaCommand;
import dev.switchboard.server.cli.LocalClusterCommand;
import dev.switchboard.server.cli.ProduceCommand;
import dev.switchboard.server.cli.StandaloneCommand;
import dev.switchboard.server.cli.TokenCommand;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code switchboard} executable. Exit codes (DESIGN.md section 8): 0 done, 1 failed (the message on standard
 * error says why), 2 bad usage.
 */
@Command(
        name = "switchboard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Switchboard: a central eventing service in front of Kafka.",
        subcommands = {
            StandaloneCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            ApiCommand.class,
            BackendCommand.class,
            LocalClusterCommand.class,
            TokenCommand.class,
            ConfigCommand.class,
            ClusterCommand.class,
            BenchCommand.class,
            InternalKafkaCommand.class
        })
public final class Main {
    public static final int FAILED = 1;
    private static final Set<String> SERVERS =
            Set.of("standalone", "api", "backend", "local-cluster", "internal-kafka");

    public static void main(String[] args) {
        quietLoggingForTools(args);
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code; used by tests too. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            cmd.getErr().println("switchboard " + cmd.getCommandName() + ": " + describe(exception));
            return FAILED;
        });
        return commandLine.execute(args);
    }

    private static String describe(Exception exception) {
        String message = exception.getMessage();
        return message == null || message.isBlank() ? exception.getClass().getSimpleName() : message;
    }

    /** The client tools write data to standard output; only warnings belong on standard error. */
    private static void quietLoggingForTools(String[] args) {
        boolean server = args.length > 0 && SERVERS.contains(args[0]);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", server ? "info" : "warn");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"switchboard " + (version == null ? "development build" : version)};
        }
    }
}
