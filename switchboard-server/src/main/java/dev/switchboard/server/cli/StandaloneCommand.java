package dev.switchboard.server.cli;

import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.standalone.Standalone;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs everything in one JVM on embedded defaults until Ctrl-C or SIGTERM, then drains and exits. */
@Command(
        name = "standalone",
        mixinStandardHelpOptions = true,
        description = "Run Switchboard in one process: embedded Kafka, one backend node, one API node.")
public final class StandaloneCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "where Kafka's data and the cluster's keys live (default: switchboard-data)")
    @Nullable
    Path dataDir;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port of the API (default: 8080)")
    @Nullable
    Integer port;

    @Option(
            names = "--tls-self-signed",
            arity = "0..1",
            paramLabel = "true|false",
            description = "serve HTTPS with a self-signed certificate for localhost/127.0.0.1 (kept in"
                    + " <data-dir>/tls; clients trust it with --ca-file <data-dir>/tls/ca.pem)")
    @Nullable
    Boolean tlsSelfSigned;

    @Override
    public Integer call() throws Exception {
        NodeConfig config = configOptions
                .withSets(configOptions
                        .fileAndEnvironment()
                        .flag(ConfigKeys.DATA_DIR, dataDir, "--data-dir")
                        .flag(ConfigKeys.PORT, port, "--port")
                        .flag(ConfigKeys.TLS_SELF_SIGNED, tlsSelfSigned, "--tls-self-signed"))
                .build();
        Standalone standalone = Standalone.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            standalone.close();
                            stopped.countDown();
                        },
                        "switchboard-shutdown"));
        stopped.await();
        return 0;
    }
}
