package dev.switchboard.server.cli;

import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.roles.ApiRole;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** An API node as its own process: connects to every shard's broker, serves POST /v1/thrift and /health. */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        description = {
            "Run an API node: it serves HTTP and forwards every call to the backend nodes over the shards' brokers.",
            "Settings come from --config FILE (YAML), then SWITCHBOARD_* environment variables, then the flags.",
            "Allocate needs a bearer token of the 'oauth' issuer, every later call a request MAC (cluster secret)."
        })
public final class ApiCommand implements Callable<Integer> {

    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on (default: 127.0.0.1)")
    @Nullable
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on, 0 for a free one (default: 8080)")
    @Nullable
    Integer port;

    @Option(
            names = "--tcp-port",
            paramLabel = "PORT",
            description =
                    "also listen for the binary TCP transport (sb://) on this port, 0 for a free one (default: off)")
    Integer tcpPort;

    @Override
    public Integer call() throws Exception {
        ApiSettings settings = ApiSettings.from(node.build(node.layers()
                .flag(ConfigKeys.HOST, host, "--host")
                .flag(ConfigKeys.PORT, port, "--port")
                .flag(ConfigKeys.TCP_PORT, tcpPort, "--tcp-port")));
        return UntilStopped.run(ApiRole.start(settings), node.parent());
    }
}
