package dev.switchboard.server.cli;

import dev.switchboard.server.localcluster.LocalCluster;
import dev.switchboard.server.localcluster.LocalClusterOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A whole cluster on this machine as separate processes, until Ctrl-C or SIGTERM. */
@Command(
        name = "local-cluster",
        mixinStandardHelpOptions = true,
        description = {
            "Run a cluster on this machine, every node a separate process: one embedded Kafka broker, backend nodes"
                    + " per shard and API nodes, joined over AMQP. Prints the API URLs; writes <data-dir>/cluster.json.",
            "Ctrl-C or SIGTERM stops everything."
        })
public final class LocalClusterCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--shards", paramLabel = "N", description = "shards (default: ${DEFAULT-VALUE})")
    int shards = 2;

    @Option(names = "--backends", paramLabel = "M", description = "backend nodes per shard (default: ${DEFAULT-VALUE})")
    int backends = 2;

    @Option(names = "--apis", paramLabel = "K", description = "API nodes (default: ${DEFAULT-VALUE})")
    int apis = 2;

    @Option(
            names = "--amqp",
            paramLabel = "URI",
            description = "the AMQP broker: once (each shard becomes a new virtual host of it, made through the"
                    + " RabbitMQ management API or rabbitmqctl), or once per shard (used as given)"
                    + " (default: amqp://guest:guest@127.0.0.1:5672)")
    List<URI> amqp = new ArrayList<>();

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Kafka's data, the cluster secret, logs and cluster.json (default: ${DEFAULT-VALUE})")
    Path dataDir = Path.of("switchboard-cluster");

    @Option(
            names = "--node-cpu",
            paramLabel = "CORES",
            description = "cap every API and backend process at this many cores (e.g. 0.25), each in its own cgroup"
                    + " v1 cpu group (needs /sys/fs/cgroup/cpu writable, usually as root) with a JVM sized to match;"
                    + " Kafka and the AMQP broker are not capped (default: no cap)")
    double nodeCpu;

    @Override
    public Integer call() throws Exception {
        LocalClusterOptions options;
        try {
            options = new LocalClusterOptions(shards, backends, apis, amqp, dataDir, nodeCpu);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        LocalCluster cluster = LocalCluster.start(options);
        cluster.apiUrls().forEach(url -> System.out.println(url));
        System.out.flush();
        String token = " --token-file " + cluster.devTokenFile();
        System.err.println("local cluster ready; processes in " + cluster.clusterFile() + "; try:\n  seq 1 1000 |"
                + " ./switchboard produce --topic demo" + urlFlags(cluster.apiUrls()) + token
                + "\n  ./switchboard consume --topic demo --from earliest" + urlFlags(cluster.apiUrls()) + token
                + "\n(" + cluster.devTokenFile() + " grants every topic; narrower tokens: ./switchboard token"
                + " --data-dir " + cluster.devTokenFile().getParent() + " --scope 'switchboard:read:demo')"
                + "\nCtrl-C stops it.");
        return UntilStopped.run(cluster, Optional.empty());
    }

    private static String urlFlags(List<URI> urls) {
        StringBuilder flags = new StringBuilder();
        urls.forEach(url -> flags.append(" --url ").append(url));
        return flags.toString();
    }
}
