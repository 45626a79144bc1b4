package dev.switchboard.server.cli;

import dev.switchboard.server.roles.KafkaRole;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Internal: the embedded Kafka broker alone, as local-cluster runs it. Hidden from the usage. */
@Command(name = "internal-kafka", hidden = true, description = "Run only the embedded Kafka broker.")
public final class InternalKafkaCommand implements Callable<Integer> {

    @Option(names = "--data-dir", required = true, paramLabel = "DIR")
    Path dataDir;

    @Option(names = "--port", paramLabel = "PORT")
    int port;

    @Option(names = "--watch-parent", paramLabel = "PID")
    @Nullable
    Long watchParent;

    @Override
    public Integer call() throws Exception {
        return UntilStopped.run(KafkaRole.start(dataDir.toAbsolutePath(), port), Optional.ofNullable(watchParent));
    }
}
