package dev.switchboard.server.cli;

import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.roles.BackendRole;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A backend node as its own process: one shard, sessions over Kafka; SIGTERM drains. */
@Command(
        name = "backend",
        mixinStandardHelpOptions = true,
        description = {
            "Run a backend node: it takes sessions from its shard's AMQP broker and keeps them in Kafka.",
            "Settings come from --config FILE (YAML), then SWITCHBOARD_* environment variables, then the flags.",
            "Events are encrypted at rest with the keystore of the file's 'encryption' section.",
            "Ctrl-C or SIGTERM drains: no new sessions, in-flight work finishes, then it exits."
        })
public final class BackendCommand implements Callable<Integer> {

    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--node-shard", paramLabel = "NAME", description = "this node's shard (default: the only one)")
    @Nullable
    String nodeShard;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "the Kafka cluster")
    @Nullable
    String bootstrapServers;

    @Option(
            names = "--auto-create-topics",
            arity = "0..1",
            paramLabel = "true|false",
            description = "create unknown topics on first use")
    @Nullable
    Boolean autoCreateTopics;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "the node's own directory: a drain spills what Kafka has not acknowledged to DIR/spill,"
                    + " re-injected on the next start (default: ./switchboard-data)")
    java.nio.file.@Nullable Path dataDir;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "serve /metrics, /health/live and /health/ready on this port (default: 9464; 0: a free port)")
    @Nullable
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        BackendSettings settings = BackendSettings.from(node.build(node.layers()
                .flag(ConfigKeys.NODE_SHARD, nodeShard, "--node-shard")
                .flag(ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers, "--bootstrap-servers")
                .flag(ConfigKeys.AUTO_CREATE_TOPICS, autoCreateTopics, "--auto-create-topics")
                .flag(ConfigKeys.DATA_DIR, dataDir, "--data-dir")
                .flag(ConfigKeys.METRICS_PORT, metricsPort, "--metrics-port")));
        return UntilStopped.run(BackendRole.start(settings, settings.metricsPort()), node.parent());
    }
}
