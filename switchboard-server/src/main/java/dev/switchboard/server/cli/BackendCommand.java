package dev.switchboard.server.cli;

import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.NodeConfigFile;
import dev.switchboard.server.roles.BackendRole;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--node-shard", paramLabel = "NAME", description = "this node's shard (default: the only one)")
    String nodeShard;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "the Kafka cluster")
    String bootstrapServers;

    @Option(
            names = "--auto-create-topics",
            arity = "0..1",
            paramLabel = "true|false",
            description = "create unknown topics on first use")
    Boolean autoCreateTopics;

    @Override
    public Integer call() throws Exception {
        NodeConfigFile flags = new NodeConfigFile(
                node.shards,
                node.nodeId,
                nodeShard,
                bootstrapServers,
                node.clusterSecretFileName(),
                autoCreateTopics,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        NodeConfigFile file = node.file();
        BackendSettings settings = BackendSettings.from(file.overriddenBy(flags));
        return UntilStopped.run(BackendRole.start(settings), node.parent());
    }
}
