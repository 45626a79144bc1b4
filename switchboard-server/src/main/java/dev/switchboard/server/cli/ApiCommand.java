package dev.switchboard.server.cli;

import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.NodeConfigFile;
import dev.switchboard.server.roles.ApiRole;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** An API node as its own process: connects to every shard's broker, serves POST /v1/thrift and /health. */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        description = {
            "Run an API node: it serves HTTP and forwards every call to the backend nodes over the shards' brokers.",
            "Settings come from --config FILE (YAML) and the flags, which win over the file.",
            "Allocate needs a bearer token of the 'oauth' issuer, every later call a request MAC (cluster secret)."
        })
public final class ApiCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @Option(
            names = "--shard",
            paramLabel = "NAME=AMQP-URI",
            description = "a shard and its broker; repeat for every shard (replaces the file's shards)")
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(names = "--node-id", paramLabel = "ID", description = "node id (default: host-pid-random)")
    String nodeId;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on (default: 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on, 0 for a free one (default: 8080)")
    Integer port;

    @Option(
            names = "--cluster-secret-file",
            paramLabel = "FILE",
            description = "the secret request MAC keys derive from; the same file as the backends'")
    Path clusterSecretFile;

    @Option(names = "--watch-parent", hidden = true, paramLabel = "PID", description = "exit when PID exits")
    Long watchParent;

    @Override
    public Integer call() throws Exception {
        NodeConfigFile flags = new NodeConfigFile(
                shards,
                nodeId,
                null,
                null,
                clusterSecretFile == null ? null : clusterSecretFile.toString(),
                null,
                null,
                host,
                port,
                null,
                null,
                null,
                null);
        NodeConfigFile file = config == null ? NodeConfigFile.empty() : NodeConfigFile.load(config);
        ApiSettings settings = ApiSettings.from(file.overriddenBy(flags));
        return UntilStopped.run(ApiRole.start(settings), Optional.ofNullable(watchParent));
    }
}
