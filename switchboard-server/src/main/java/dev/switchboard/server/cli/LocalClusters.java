package dev.switchboard.server.cli;

import dev.switchboard.bench.ScalingBench;
import dev.switchboard.server.localcluster.LocalCluster;
import dev.switchboard.server.localcluster.LocalClusterOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The clusters of {@code bench --scaling}: local clusters with {@code --node-cpu}, each on a fresh temporary dir,
 * whose nodes start uncapped and are capped when the bench says ({@link ScalingBench.Cluster#capNodes}).
 */
final class LocalClusters implements ScalingBench.Clusters {

    @Override
    public ScalingBench.Cluster start(int shards, int backendsPerShard, int apis, double nodeCpu, URI amqp)
            throws Exception {
        Path dataDir = Files.createTempDirectory("switchboard-scaling");
        LocalCluster cluster;
        try {
            cluster = LocalCluster.start(
                    new LocalClusterOptions(shards, backendsPerShard, apis, List.of(amqp), dataDir, nodeCpu, false));
        } catch (Exception e) {
            deleteRecursively(dataDir);
            throw e;
        }
        return new ScalingBench.Cluster() {
            @Override
            public List<URI> apiUrls() {
                return cluster.apiUrls();
            }

            @Override
            public List<String> shards() {
                return cluster.shardNames();
            }

            @Override
            public String token() throws IOException {
                return Files.readString(cluster.devTokenFile(), StandardCharsets.UTF_8)
                        .strip();
            }

            @Override
            public List<ScalingBench.Member> members() {
                return cluster.members().stream()
                        .map(member -> new ScalingBench.Member(
                                member.role(), member.name(), member.pid(), member.log(), member.cpuGroup()))
                        .toList();
            }

            @Override
            public int capNodes() throws IOException {
                return cluster.capNodes();
            }

            @Override
            public void close() throws IOException {
                cluster.close();
                deleteRecursively(dataDir);
            }
        };
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
