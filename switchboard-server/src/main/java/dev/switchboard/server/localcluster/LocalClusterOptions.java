package dev.switchboard.server.localcluster;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code local-cluster} starts.
 *
 * @param shards how many shards
 * @param backendsPerShard backend nodes per shard
 * @param apis API nodes
 * @param amqp one broker URI (each shard becomes a virtual host of it) or one URI per shard (used as given)
 * @param dataDir where Kafka's data, the cluster secret, the logs and cluster.json go
 * @param nodeCpu the cores each API and backend process may use (its own cgroup v1 cpu group), 0 for no cap;
 *     Kafka is never capped
 * @param capAtStart with {@code nodeCpu}: true to cap each process from its first instruction; false to start the
 *     nodes in their groups without a quota, capped only once {@link LocalCluster#capNodes} is called (the scaling
 *     bench: nodes start and compile their hot code at the machine's speed, then run capped)
 */
public record LocalClusterOptions(
        int shards, int backendsPerShard, int apis, List<URI> amqp, Path dataDir, double nodeCpu, boolean capAtStart) {
    public static final URI DEFAULT_AMQP = URI.create("amqp://guest:guest@127.0.0.1:5672");
    /** The largest --node-cpu: more than the cores of any machine this runs on is a typo. */
    public static final double MAX_NODE_CPU = 1024;

    /** Without a CPU cap. */
    public LocalClusterOptions(int shards, int backendsPerShard, int apis, List<URI> amqp, Path dataDir) {
        this(shards, backendsPerShard, apis, amqp, dataDir, 0);
    }

    /** Capped at {@code nodeCpu} (0: none) from the start. */
    public LocalClusterOptions(
            int shards, int backendsPerShard, int apis, List<URI> amqp, Path dataDir, double nodeCpu) {
        this(shards, backendsPerShard, apis, amqp, dataDir, nodeCpu, true);
    }

    public LocalClusterOptions {
        require(
                nodeCpu == 0 || (nodeCpu >= 0.01 && nodeCpu <= MAX_NODE_CPU),
                "--node-cpu must be between 0.01 and " + (int) MAX_NODE_CPU + " cores, got " + nodeCpu);
        require(shards >= 1 && shards <= 64, "--shards must be 1 to 64");
        require(backendsPerShard >= 1 && backendsPerShard <= 64, "--backends must be 1 to 64");
        require(apis >= 1 && apis <= 64, "--apis must be 1 to 64");
        amqp = amqp.isEmpty() ? List.of(DEFAULT_AMQP) : List.copyOf(amqp);
        require(
                amqp.size() == 1 || amqp.size() == shards,
                "--amqp must be given once (shards become virtual hosts of that broker) or once per shard (" + shards
                        + " times)");
        for (URI uri : amqp) {
            require(
                    ("amqp".equals(uri.getScheme()) || "amqps".equals(uri.getScheme())) && uri.getHost() != null,
                    "--amqp takes amqp://user:pass@host:port[/vhost] or amqps://... URIs");
        }
    }

    /** True when each shard gets its own URI as given; false when shards become virtual hosts of one broker. */
    boolean urisPerShard() {
        return amqp.size() == shards && (shards > 1 || hasVirtualHost(amqp.getFirst()));
    }

    private static boolean hasVirtualHost(URI uri) {
        return uri.getPath() != null && uri.getPath().length() > 1;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
