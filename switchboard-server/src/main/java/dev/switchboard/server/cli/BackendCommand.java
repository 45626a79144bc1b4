package dev.switchboard.server.cli;

import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.NodeConfigFile;
import dev.switchboard.server.roles.BackendRole;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A backend node as its own process: one shard, sessions over Kafka; SIGTERM drains. */
@Command(
        name = "backend",
        mixinStandardHelpOptions = true,
        description = {
            "Run a backend node: it takes sessions from its shard's AMQP broker and keeps them in Kafka.",
            "Settings come from --config FILE (YAML) and the flags, which win over the file.",
            "Events are encrypted at rest with the keystore of the file's 'encryption' section.",
            "Ctrl-C or SIGTERM drains: no new sessions, in-flight work finishes, then it exits."
        })
public final class BackendCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @Option(
            names = "--shard",
            paramLabel = "NAME=AMQP-URI",
            description = "a shard and its broker; repeat for each shard (replaces the file's shards)")
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(names = "--node-shard", paramLabel = "NAME", description = "this node's shard (default: the only one)")
    String nodeShard;

    @Option(names = "--node-id", paramLabel = "ID", description = "unique within the shard (default: host-pid-random)")
    String nodeId;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "the Kafka cluster")
    String bootstrapServers;

    @Option(
            names = "--cluster-secret-file",
            paramLabel = "FILE",
            description = "the secret that signs cursors; the same file on every backend of the cluster")
    Path clusterSecretFile;

    @Option(
            names = "--auto-create-topics",
            arity = "0..1",
            paramLabel = "true|false",
            description = "create unknown topics on first use")
    Boolean autoCreateTopics;

    @Option(names = "--watch-parent", hidden = true, paramLabel = "PID", description = "exit when PID exits")
    Long watchParent;

    @Override
    public Integer call() throws Exception {
        NodeConfigFile flags = new NodeConfigFile(
                shards,
                nodeId,
                nodeShard,
                bootstrapServers,
                clusterSecretFile == null ? null : clusterSecretFile.toString(),
                autoCreateTopics,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        NodeConfigFile file = config == null ? NodeConfigFile.empty() : NodeConfigFile.load(config);
        BackendSettings settings = BackendSettings.from(file.overriddenBy(flags));
        return UntilStopped.run(BackendRole.start(settings), Optional.ofNullable(watchParent));
    }
}
