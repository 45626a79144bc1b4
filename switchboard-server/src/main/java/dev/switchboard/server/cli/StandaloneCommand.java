package dev.switchboard.server.cli;

import dev.switchboard.server.standalone.Standalone;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "where Kafka's data and the cluster's keys live (default: ${DEFAULT-VALUE})")
    Path dataDir = Path.of("switchboard-data");

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port of the API (default: ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(
            names = "--tls-self-signed",
            description = "serve HTTPS with a self-signed certificate for localhost/127.0.0.1 (kept in"
                    + " <data-dir>/tls; clients trust it with --ca-file <data-dir>/tls/ca.pem)")
    boolean tlsSelfSigned;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be within 0..65535");
        }
        Standalone standalone = Standalone.start(dataDir, port, tlsSelfSigned);
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
