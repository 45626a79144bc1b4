package dev.switchboard.server.cli;

import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.NodeConfigFile;
import dev.switchboard.server.roles.ApiRole;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on (default: 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on, 0 for a free one (default: 8080)")
    Integer port;

    @Override
    public Integer call() throws Exception {
        NodeConfigFile flags = new NodeConfigFile(
                node.shards,
                node.nodeId,
                null,
                null,
                node.clusterSecretFileName(),
                null,
                null,
                host,
                port,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        NodeConfigFile file = node.file();
        ApiSettings settings = ApiSettings.from(file.overriddenBy(flags));
        return UntilStopped.run(ApiRole.start(settings), node.parent());
    }
}
