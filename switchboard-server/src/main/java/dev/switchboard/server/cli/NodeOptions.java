package dev.switchboard.server.cli;

import dev.switchboard.server.config.NodeConfigFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options every cluster node (api, backend) takes: the config file, the shards, its id, the cluster secret. */
final class NodeOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @Option(
            names = "--shard",
            paramLabel = "NAME=AMQP-URI",
            description = "a shard and its broker; repeat for every shard (replaces the file's shards)")
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(
            names = "--node-id",
            paramLabel = "ID",
            description = "node id, unique in the cluster (default: host-pid-random)")
    String nodeId;

    @Option(
            names = "--cluster-secret-file",
            paramLabel = "FILE",
            description = "the secret that signs cursors and request MAC keys; the same file on every node")
    Path clusterSecretFile;

    @Option(names = "--watch-parent", hidden = true, paramLabel = "PID", description = "exit when PID exits")
    Long watchParent;

    /** The --config file, or an empty one. */
    NodeConfigFile file() {
        return config == null ? NodeConfigFile.empty() : NodeConfigFile.load(config);
    }

    String clusterSecretFileName() {
        return clusterSecretFile == null ? null : clusterSecretFile.toString();
    }

    Optional<Long> parent() {
        return Optional.ofNullable(watchParent);
    }
}
