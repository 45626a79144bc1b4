package dev.switchboard.kafka.embedded;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node Kafka broker running in KRaft combined mode (broker + controller) inside this JVM.
 *
 * <p>All state lives under {@code dataDir}. Storage is formatted on first start only, so topics,
 * records and committed offsets survive a restart on the same directory. Binds to 127.0.0.1 only.
 */
public final class EmbeddedKafka implements AutoCloseable {

    static final String PORTS_FILE = "embedded-kafka-ports.properties";
    private static final String LOCK_FILE = "embedded-kafka.lock";
    static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final FileChannel dirLock;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, FileChannel dirLock) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dirLock = dirLock;
    }

    /**
     * Starts the broker and returns once it is ready to serve clients.
     *
     * @param port PLAINTEXT port, or 0 to reuse the previous run's port if free, else any free port
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        Path dir = dataDir.toAbsolutePath();
        FileChannel dirLock = lockDataDir(dir);
        boolean started = false;
        try {
            Path logDir = dir.resolve("kafka-logs");
            Ports ports = choosePorts(dir, port);
            formatIfNeeded(logDir);
            String bootstrap = HOST + ":" + ports.broker();
            KafkaRaftServer server = new KafkaRaftServer(config(logDir, ports), Time.SYSTEM);
            try {
                server.startup(); // returns once the broker is unfenced and its listeners accept
            } catch (RuntimeException e) {
                server.shutdown(); // release the threads and ports of the half-started node
                server.awaitShutdown();
                throw new IllegalStateException("Embedded Kafka failed to start on " + bootstrap, e);
            }
            started = true;
            return new EmbeddedKafka(server, bootstrap, dirLock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Kafka data dir " + dir, e);
        } finally {
            if (!started) {
                closeQuietly(dirLock);
            }
        }
    }

    /** The {@code bootstrap.servers} value for clients of this broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Shuts the broker down and waits until all its threads have stopped. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.shutdown();
            server.awaitShutdown();
            closeQuietly(dirLock);
        }
    }

    private static KafkaConfig config(Path logDir, Ports ports) {
        // Static voters (kraft.version 0) keep quorum membership out of the metadata log, so the
        // controller port may differ between restarts.
        Properties p = nodeProperties(
                NODE_ID, logDir, ports.broker(), ports.controller(), NODE_ID + "@" + HOST + ":" + ports.controller());
        // One node cannot satisfy the default replication factor (3) of the internal topics.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        return KafkaConfig.fromProps(p, false); // false: don't log the full config
    }

    /**
     * What every node of ours shares: combined broker and controller on loopback, static voters {@code voters},
     * small internal topics, no auto-creation, a small log cleaner buffer.
     */
    static Properties nodeProperties(int nodeId, Path logDir, int brokerPort, int controllerPort, String voters) {
        String broker = "PLAINTEXT://" + HOST + ":" + brokerPort;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", broker + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", broker);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // 1 instead of 50 partitions: the first consumer group / transaction gets going faster.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // The log cleaner allocates this heap buffer eagerly at startup (default 128 MiB).
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    /** Equivalent of {@code kafka-storage.sh format}; skipped once meta.properties exists. */
    private static void formatIfNeeded(Path logDir) {
        formatIfNeeded(logDir, NODE_ID, Uuid.randomUuid().toString());
    }

    /** Formats {@code logDir} for node {@code nodeId} of cluster {@code clusterId}, unless already formatted. */
    static void formatIfNeeded(Path logDir, int nodeId, String clusterId) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // reformatting would replace the cluster id and orphan all data
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId) // stored in meta.properties
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + logDir, e);
        }
    }

    /**
     * Kafka locks its log dir only when the broker half starts, after the controller half has
     * opened the metadata log: a second node on the same dir could damage it. So lock up front.
     */
    static FileChannel lockDataDir(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), CREATE, WRITE);
            try {
                if (channel.tryLock() != null) {
                    return channel;
                }
            } catch (OverlappingFileLockException e) {
                // held by another EmbeddedKafka in this JVM
            }
            channel.close();
            throw new IllegalStateException("Kafka data dir " + dir + " is in use by another broker");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock Kafka data dir " + dir, e);
        }
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close(); // releases the lock
        } catch (IOException ignored) {
            // the OS drops the lock with the process anyway
        }
    }

    private record Ports(int broker, int controller) {}

    /** Reuses the previous run's ports when free, so the bootstrap address survives restarts. */
    private static Ports choosePorts(Path dir, int requestedBrokerPort) throws IOException {
        Path file = dir.resolve(PORTS_FILE);
        Properties saved = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                saved.load(in);
            }
        }
        int broker = requestedBrokerPort > 0 ? requestedBrokerPort : reuseOrPick(saved.getProperty("broker.port"), -1);
        int controller = reuseOrPick(saved.getProperty("controller.port"), broker);
        saved.setProperty("broker.port", String.valueOf(broker));
        saved.setProperty("controller.port", String.valueOf(controller));
        try (Writer out = Files.newBufferedWriter(file)) {
            saved.store(out, "Ports of the embedded Kafka broker using this directory");
        }
        return new Ports(broker, controller);
    }

    static int reuseOrPick(String savedPort, int taken) throws IOException {
        if (savedPort != null) {
            int port = Integer.parseInt(savedPort.trim());
            if (port != taken && isFree(port)) {
                return port;
            }
        }
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                if (socket.getLocalPort() != taken) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as for Kafka's acceptor: TIME_WAIT leftovers don't block
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
