package dev.switchboard.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A Kafka cluster of several nodes inside this JVM, for tests of replication: every node is a combined broker and
 * controller (KRaft, static voters), so stopping one leaves a controller quorum (a majority of the voters) and the
 * brokers that hold the other replicas. Node ids are 1..n; binds to 127.0.0.1 only; all state under
 * {@code dataDir}, one sub-directory per node. Kafka's own internal topics (consumer offsets, transaction state)
 * keep their defaults: 3 replicas, min.insync.replicas 2, so a 3-node cluster runs them as production does.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private final List<Node> nodes;
    private final String bootstrapServers;
    private final FileChannel dirLock;

    /** Guarded by this: the ids of the nodes stopped. */
    private final Set<Integer> stopped = new HashSet<>();

    private record Node(int id, int brokerPort, KafkaRaftServer server) {}

    private EmbeddedKafkaCluster(List<Node> nodes, FileChannel dirLock) {
        this.nodes = nodes;
        this.dirLock = dirLock;
        this.bootstrapServers = nodes.stream()
                .map(node -> EmbeddedKafka.HOST + ":" + node.brokerPort())
                .collect(Collectors.joining(","));
    }

    /** Starts {@code size} nodes (at least 1) on free ports and returns once every broker serves. */
    public static EmbeddedKafkaCluster start(Path dataDir, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, got " + size);
        }
        Path dir = dataDir.toAbsolutePath();
        FileChannel dirLock = EmbeddedKafka.lockDataDir(dir);
        List<KafkaRaftServer> started = new ArrayList<>();
        try {
            int[] ports = freePorts(2 * size); // broker ports, then controller ports
            String voters = IntStream.range(0, size)
                    .mapToObj(i -> (i + 1) + "@" + EmbeddedKafka.HOST + ":" + ports[size + i])
                    .collect(Collectors.joining(","));
            String clusterId = Uuid.randomUuid().toString();
            List<KafkaRaftServer> servers = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Path logDir = dir.resolve("node-" + (i + 1)).resolve("kafka-logs");
                EmbeddedKafka.formatIfNeeded(logDir, i + 1, clusterId);
                Properties props = EmbeddedKafka.nodeProperties(i + 1, logDir, ports[i], ports[size + i], voters);
                // A stopped node goes at once, as a lost broker does: a controlled shutdown waits (up to 5 minutes)
                // for a controller quorum, which the last nodes of a closing cluster no longer have. The others
                // notice a stopped broker within the session timeout and move its leaderships.
                props.put("controlled.shutdown.enable", "false");
                props.put("broker.heartbeat.interval.ms", "500");
                props.put("broker.session.timeout.ms", "3000");
                servers.add(new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM));
            }
            // together: a node's startup returns once its broker is unfenced, which needs a quorum of controllers
            List<CompletableFuture<Void>> startups = servers.stream()
                    .map(server -> CompletableFuture.runAsync(() -> {
                        server.startup();
                        synchronized (started) {
                            started.add(server);
                        }
                    }))
                    .toList();
            try {
                CompletableFuture.allOf(startups.toArray(CompletableFuture[]::new))
                        .join();
            } catch (CompletionException e) {
                throw new IllegalStateException("Embedded Kafka cluster failed to start", e.getCause());
            }
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                nodes.add(new Node(i + 1, ports[i], servers.get(i)));
            }
            started.clear(); // owned by the cluster now
            return new EmbeddedKafkaCluster(List.copyOf(nodes), dirLock);
        } catch (RuntimeException e) {
            synchronized (started) {
                started.forEach(EmbeddedKafkaCluster::shutdown);
            }
            EmbeddedKafka.closeQuietly(dirLock);
            throw e;
        }
    }

    /** The {@code bootstrap.servers} value for clients: every node. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** How many nodes the cluster was started with. */
    public int size() {
        return nodes.size();
    }

    /**
     * Stops node {@code id} (1..size), broker and controller, without a controlled shutdown (as if it were lost:
     * the controller moves its leaderships once its session times out, 3 s); it stays stopped. Idempotent.
     */
    public synchronized void stop(int id) {
        if (stopped.add(id)) {
            shutdown(nodes.get(id - 1).server());
        }
    }

    /** Stops every node still running. Idempotent. */
    @Override
    public synchronized void close() {
        for (int i = nodes.size(); i >= 1; i--) {
            stop(i);
        }
        EmbeddedKafka.closeQuietly(dirLock);
    }

    private static void shutdown(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    /** {@code count} distinct free loopback ports (held together while chosen, so they differ). */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedKafka.HOST));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // freed with the process anyway
                }
            }
        }
    }
}
