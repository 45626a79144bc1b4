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
import dev.switchboard.server.cli.StatusCommand;
import dev.switchboard.server.cli.TokenCommand;
import dev.switchboard.server.ops.Logging;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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
            StatusCommand.class,
            BenchCommand.class,
            InternalKafkaCommand.class
        })
public final class Main {
    public static final int FAILED = 1;
    private static final Set<String> SERVERS =
            Set.of("standalone", "api", "backend", "local-cluster", "internal-kafka");

    /** Applied in {@link #main} before anything logs (see {@link #configureLogging}); here for help and checks. */
    @Option(
            names = "--log-format",
            scope = ScopeType.INHERIT,
            paramLabel = "plain|json",
            description =
                    "log lines as plain text (default) or one JSON object per line;" + " also $SWITCHBOARD_LOG_FORMAT")
    Logging.@Nullable Format logFormat;

    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            description = "client tools: show their logs (sessions, failovers) instead of one line per failover")
    boolean verbose;

    public static void main(String[] args) {
        configureLogging(args);
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code; used by tests too. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
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

    /**
     * Servers log INFO; the client tools write data to standard output, so they log only warnings and one line per
     * failover unless {@code -v}. Read from the raw arguments: logging must be set before picocli or anything else
     * logs. A bad {@code --log-format} value falls back to plain here and is refused by picocli (exit 2).
     */
    private static void configureLogging(String[] args) {
        boolean server = args.length > 0 && SERVERS.contains(args[0]);
        Logging.Format format = Logging.Format.PLAIN;
        String fromEnvironment = System.getenv("SWITCHBOARD_LOG_FORMAT");
        String requested = fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-format") && i + 1 < args.length) {
                requested = args[i + 1];
            } else if (args[i].startsWith("--log-format=")) {
                requested = args[i].substring("--log-format=".length());
            } else if (args[i].equals("-v") || args[i].equals("--verbose")) {
                verbose = true;
            } else if (args[i].equals("--")) {
                break;
            }
        }
        if (requested != null) {
            try {
                format = Logging.Format.parse(requested.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                format = Logging.Format.PLAIN;
            }
        }
        if (server) {
            Logging.server(format);
        } else {
            Logging.tool(format, verbose);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"switchboard " + (version == null ? "development build" : version)};
        }
    }
}
