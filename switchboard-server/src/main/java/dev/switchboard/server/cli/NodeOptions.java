package dev.switchboard.server.cli;

import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every cluster node (api, backend) takes: the config file, the shards, its id, the cluster secret. */
final class NodeOptions {
    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(
            names = "--shard",
            paramLabel = "NAME=AMQP-URI",
            description = "a shard and its broker; repeat for every shard (replaces the file's shards)")
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(
            names = "--node-id",
            paramLabel = "ID",
            description = "node id, unique in the cluster (default: host-pid-random)")
    @Nullable
    String nodeId;

    @Option(
            names = "--cluster-secret-file",
            paramLabel = "FILE",
            description = "the secret that signs cursors and request MAC keys; the same file on every node")
    @Nullable
    Path clusterSecretFile;

    @Option(names = "--watch-parent", hidden = true, paramLabel = "PID", description = "exit when PID exits")
    @Nullable
    Long watchParent;

    /** The file and the environment, then these flags; the command adds its own flags, then {@link #build}. */
    NodeConfig.Builder layers() {
        return configOptions
                .fileAndEnvironment()
                .flag(ConfigKeys.SHARDS, shards, "--shard")
                .flag(ConfigKeys.NODE_ID, nodeId, "--node-id")
                .flag(ConfigKeys.CLUSTER_SECRET_FILE, clusterSecretFile, "--cluster-secret-file");
    }

    /** Adds the {@code --set} flags last (they win over every other source) and builds. */
    NodeConfig build(NodeConfig.Builder layers) {
        return configOptions.withSets(layers).build();
    }

    Optional<Long> parent() {
        return Optional.ofNullable(watchParent);
    }
}
