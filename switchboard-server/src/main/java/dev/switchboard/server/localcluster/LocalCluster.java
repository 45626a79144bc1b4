package dev.switchboard.server.localcluster;

import dev.switchboard.core.secret.OwnerOnlyFiles;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.standalone.ClusterSecret;
import dev.switchboard.server.standalone.DevIssuer;
import dev.switchboard.server.standalone.StandaloneKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole cluster on one machine, every part a separate OS process of this same application: one embedded
 * Kafka broker, {@code backends} backend nodes per shard and {@code apis} API nodes, joined by the AMQP switch.
 *
 * <p>Secure out of the box, like standalone: the API nodes take only tokens of a development issuer and request
 * MACs, the backends encrypt at rest with one shared keystore.
 *
 * <p>Data dir layout: {@code kafka/} (the broker's data, kept across runs), {@code cluster-secret} (signs
 * cursors and keys request MACs; every node reads it), {@code keys/} (the keystore every backend encrypts with,
 * and its password), {@code dev-issuer/} (the development issuer's signing key and its public {@code jwks.json},
 * which the API nodes trust), {@code dev-token} (a token granting every topic, rewritten on each start; {@code
 * switchboard token --data-dir} mints narrower ones), {@code cluster.yaml} (the node configuration every process starts from),
 * {@code logs/<process>.log}, {@code cluster.json} (the processes, while the cluster runs), {@code virtual-hosts}
 * (the ones it made, so that the next run on this dir deletes them when this one was killed), {@code .lock}.
 *
 * <p>Every child watches this process and exits when it does, so a killed local-cluster leaves nothing behind.
 * Closing stops the API nodes, then drains the backends, then stops Kafka, and deletes the virtual hosts it made.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(LocalCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration RESTART_DELAY = Duration.ofSeconds(1);
    /**
     * {@code limits.max-staged-bytes} and {@code limits.max-prefetch-bytes} of the cluster's nodes: together with
     * what a node holds beside them (about 160 MiB: classes, clients, sessions, garbage in flight) they fit the
     * backend's 512 MiB heap. The defaults (256 MiB each) are for a 1 GiB heap: a full 512 MiB heap under the
     * serial collector made a capped node pause for seconds.
     */
    static final long BACKEND_STAGED_BYTES = 96L << 20;

    static final long BACKEND_PREFETCH_BYTES = 96L << 20;
    private static final Duration API_STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration BACKEND_STOP_GRACE = Duration.ofSeconds(45);

    private final Path dataDir;
    private final FileChannel lock;
    private final List<ChildProcess> apis = new ArrayList<>();
    private final List<ChildProcess> backends = new ArrayList<>();
    /** Each backend's metrics URL, from its ready line, in the order of {@code backends}. */
    private final List<String> backendMetrics = new ArrayList<>();

    private final List<String> createdVirtualHosts = new ArrayList<>();
    private final List<URI> apiUrls = new ArrayList<>();
    /** Each API node's binary TCP URL ({@code sb://}), in the order of {@link #apiUrls}. */
    private final List<URI> apiTcpUrls = new ArrayList<>();

    private final AtomicBoolean closed = new AtomicBoolean();
    // null until startAll has started each of them (close() stops what there is)
    private @Nullable ChildProcess kafka;
    private Optional<CpuGroups> cpuGroups = Optional.empty();
    private @Nullable VirtualHosts virtualHosts;
    private @Nullable ControlServer control;
    private Map<String, URI> shardUris = Map.of();
    private @Nullable String kafkaBootstrapServers;

    private LocalCluster(Path dataDir, FileChannel lock) {
        this.dataDir = dataDir;
        this.lock = lock;
    }

    /** Starts every process and returns once every API node answers ready; writes cluster.json. */
    public static LocalCluster start(LocalClusterOptions options) throws IOException, InterruptedException {
        Path dir = options.dataDir().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        LocalCluster cluster = new LocalCluster(dir, lock(dir));
        // a SIGTERM while starting stops what has started (closing twice is harmless)
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-shutdown"));
        try {
            Files.deleteIfExists(cluster.clusterFile()); // left by a run that was killed
            cluster.startAll(options);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The shards' names ({@code s0}, {@code s1}, ...), which the API nodes hash a new session's affinity over. */
    public List<String> shardNames() {
        return List.copyOf(shardUris.keySet());
    }

    /** The API nodes' base URLs. */
    public List<URI> apiUrls() {
        return List.copyOf(apiUrls);
    }

    /** Each API node's binary TCP URL ({@code sb://}), in the order of {@link #apiUrls()}. */
    public List<URI> apiTcpUrls() {
        return List.copyOf(apiTcpUrls);
    }

    /** One running process of the cluster, as it is now (a restarted node has a new pid and CPU group). */
    public record Member(String role, String name, long pid, Path log, Optional<Path> cpuGroup) {}

    /** Kafka, the backends and the API nodes, in that order. */
    public synchronized List<Member> members() {
        List<Member> members = new ArrayList<>();
        List<ChildProcess> all = new ArrayList<>();
        if (kafka != null) {
            all.add(kafka);
        }
        all.addAll(backends);
        all.addAll(apis);
        for (ChildProcess child : all) {
            members.add(new Member(child.role(), child.name(), child.process().pid(), child.log(), child.cpuGroup()));
        }
        return members;
    }

    public Path clusterFile() {
        return dataDir.resolve("cluster.json");
    }

    /** The all-scopes token of the cluster's development issuer, rewritten on every start. */
    public Path devTokenFile() {
        return dataDir.resolve(DevIssuer.DEV_TOKEN_FILE);
    }

    private void startAll(LocalClusterOptions options) throws IOException, InterruptedException {
        Path secret = dataDir.resolve("cluster-secret");
        ClusterSecret.loadOrCreate(secret);
        // secure out of the box: one keystore for every backend, made here so that they share one key
        StandaloneKeys.createIfMissing(dataDir);
        DevIssuer issuer = DevIssuer.loadOrCreate(dataDir);
        Path jwks = issuer.writeJwks(dataDir);
        issuer.writeDevToken(dataDir);
        if (options.nodeCpu() > 0) {
            cpuGroups = Optional.of(CpuGroups.create(CpuGroups.DEFAULT_ROOT, options.nodeCpu(), options.capAtStart()));
            LOGGER.info(
                    "capping every API and backend node cores={} quota-us={} group-parent={} from={}",
                    options.nodeCpu(),
                    cpuGroups.get().quotaMicros(),
                    cpuGroups.get(),
                    options.capAtStart() ? "start" : "capNodes");
        }
        Map<String, URI> shards = shardUris(options);

        ChildProcess broker = ChildProcess.start(
                "kafka",
                "kafka",
                Optional.empty(),
                Optional.empty(),
                "768m",
                log("kafka"),
                List.of("internal-kafka", "--data-dir", dataDir.resolve("kafka").toString(), "--port", "0"),
                Optional.empty()); // Kafka stands for a real cluster's storage: never capped
        kafka = broker;
        watch(broker);
        String bootstrapServers = broker.awaitReady(START_TIMEOUT, "bootstrap-servers");
        LOGGER.info("kafka ready bootstrap-servers={}", bootstrapServers);

        Path config = writeNodeConfig(shards, bootstrapServers, secret, jwks);
        for (String shard : shards.keySet()) {
            for (int i = 1; i <= options.backendsPerShard(); i++) {
                String node = "backend-" + shard + "-" + i;
                backends.add(watch(ChildProcess.start(
                        node,
                        "backend",
                        Optional.of(shard),
                        Optional.of(node),
                        "512m",
                        log(node),
                        List.of(
                                "backend",
                                "--config",
                                config.toString(),
                                "--node-shard",
                                shard,
                                "--node-id",
                                node,
                                "--data-dir",
                                dataDir.resolve("nodes").resolve(node).toString(),
                                "--metrics-port",
                                "0"),
                        cpuGroups)));
                if (backends.size() == 1) {
                    // the first backend creates the cluster's internal topics alone; on a busy machine several
                    // nodes racing to create them made each wait past its timeout
                    backends.getFirst().awaitReady(START_TIMEOUT);
                }
            }
        }
        for (ChildProcess backend : backends) {
            backendMetrics.add(backend.awaitReady(START_TIMEOUT, "metrics"));
        }
        for (int i = 1; i <= options.apis(); i++) {
            String node = "api-" + i;
            apis.add(watch(ChildProcess.start(
                    node,
                    "api",
                    Optional.empty(),
                    Optional.of(node),
                    "384m",
                    log(node),
                    List.of("api", "--config", config.toString(), "--node-id", node, "--port", "0", "--tcp-port", "0"),
                    cpuGroups)));
        }
        for (ChildProcess api : apis) {
            Map<String, String> ready = api.awaitReady(START_TIMEOUT);
            URI url = URI.create(ready.get("url"));
            awaitHealthy(url);
            apiUrls.add(url);
            apiTcpUrls.add(URI.create(ready.get("tcp-url")));
        }
        shardUris = shards;
        kafkaBootstrapServers = bootstrapServers;
        control = ControlServer.start(dataDir, this::restart);
        writeClusterFile(shards, bootstrapServers);
        LOGGER.info(
                "ready role=local-cluster shards={} backends={} apis={} cluster-file={}",
                shards.size(),
                backends.size(),
                apis.size(),
                clusterFile());
    }

    /** One URI per shard as given, or a fresh virtual host per shard on the one broker given. */
    private Map<String, URI> shardUris(LocalClusterOptions options) throws IOException {
        Map<String, URI> shards = new LinkedHashMap<>();
        if (options.urisPerShard()) {
            for (int i = 0; i < options.shards(); i++) {
                shards.put("s" + i, options.amqp().get(i));
            }
            return shards;
        }
        VirtualHosts hosts = new VirtualHosts(options.amqp().getFirst());
        virtualHosts = hosts;
        hosts.requireRabbitMq();
        deleteLeftoverVirtualHosts(hosts);
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String prefix = "switchboard-" + HexFormat.of().formatHex(random);
        for (int i = 0; i < options.shards(); i++) {
            String name = prefix + "-s" + i;
            shards.put("s" + i, hosts.create(name));
            createdVirtualHosts.add(name);
            Files.write(virtualHostsFile(), createdVirtualHosts);
        }
        return shards;
    }

    /** The virtual hosts of a previous run on this data dir that was killed before it could delete them. */
    private void deleteLeftoverVirtualHosts(VirtualHosts hosts) throws IOException {
        if (Files.exists(virtualHostsFile())) {
            for (String name : Files.readAllLines(virtualHostsFile())) {
                if (!name.isBlank()) {
                    LOGGER.info("deleting a virtual host left by a previous run name={}", name);
                    hosts.delete(name.strip());
                }
            }
            Files.delete(virtualHostsFile());
        }
    }

    private Path virtualHostsFile() {
        return dataDir.resolve("virtual-hosts");
    }

    /** The configuration every node starts from (it holds broker passwords: owner-readable only). */
    private Path writeNodeConfig(Map<String, URI> shards, String bootstrapServers, Path secret, Path jwks)
            throws IOException {
        Map<String, String> shardTexts = new LinkedHashMap<>();
        shards.forEach((name, uri) -> shardTexts.put(name, uri.toString()));
        String source = "local-cluster";
        NodeConfig file = NodeConfig.builder()
                .value(ConfigKeys.SHARDS, shardTexts, source)
                .value(ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers, source)
                .value(ConfigKeys.CLUSTER_SECRET_FILE, secret, source)
                .value(ConfigKeys.AUTO_CREATE_TOPICS, true, source)
                .value(ConfigKeys.HOST, "127.0.0.1", source)
                .value(ConfigKeys.OAUTH_ISSUER, DevIssuer.ISSUER, source)
                .value(ConfigKeys.OAUTH_AUDIENCE, DevIssuer.AUDIENCE, source)
                .value(ConfigKeys.OAUTH_JWKS_FILE, jwks, source)
                .value(ConfigKeys.ENCRYPTION_KEYSTORE, dataDir.resolve(StandaloneKeys.KEYSTORE), source)
                .value(ConfigKeys.ENCRYPTION_KEYSTORE_PASSWORD_FILE, dataDir.resolve(StandaloneKeys.PASSWORD), source)
                // the node budgets sized for a backend's heap (the defaults, 256 MiB each, are for a 1 GiB heap)
                .value(ConfigKeys.LIMITS_MAX_STAGED_BYTES, BACKEND_STAGED_BYTES, source)
                .value(ConfigKeys.LIMITS_MAX_PREFETCH_BYTES, BACKEND_PREFETCH_BYTES, source)
                .build();
        Path config = dataDir.resolve("cluster.yaml");
        OwnerOnlyFiles.write(
                config,
                ("# written by switchboard local-cluster: the configuration every node of this cluster starts from\n"
                                + file.toYaml())
                        .getBytes(StandardCharsets.UTF_8));
        return config;
    }

    private void writeClusterFile(Map<String, URI> shards, String bootstrapServers) throws IOException {
        ChildProcess broker = kafka;
        if (broker == null) {
            throw new IllegalStateException("cluster.json is written once Kafka has started");
        }
        ControlServer controlServer = control;
        List<ClusterFile.Entry> entries = new ArrayList<>();
        entries.add(new ClusterFile.Entry(
                "kafka",
                broker.process().pid(),
                null,
                null,
                bootstrapServers,
                broker.log().toString()));
        for (int i = 0; i < backends.size(); i++) {
            ChildProcess backend = backends.get(i);
            String shard = backend.shard().orElseThrow();
            URI shardUri = shards.get(shard);
            if (shardUri == null) {
                throw new IllegalStateException(backend.name() + " is in shard " + shard + ", which has no broker");
            }
            entries.add(new ClusterFile.Entry(
                    "backend",
                    backend.process().pid(),
                    shard,
                    backend.nodeId().orElseThrow(),
                    ClusterFile.withoutPassword(shardUri),
                    backend.log().toString(),
                    backendMetrics.get(i)));
        }
        for (int i = 0; i < apis.size(); i++) {
            ChildProcess api = apis.get(i);
            entries.add(new ClusterFile.Entry(
                    "api",
                    api.process().pid(),
                    null,
                    api.nodeId().orElseThrow(),
                    apiUrls.get(i).toString(),
                    api.log().toString(),
                    apiUrls.get(i).resolve("/metrics").toString()));
        }
        Map<String, String> shardTexts = new LinkedHashMap<>();
        shards.forEach((name, uri) -> shardTexts.put(name, ClusterFile.withoutPassword(uri)));
        new ClusterFile(
                        dataDir.toString(),
                        apiUrls.stream().map(URI::toString).toList(),
                        apiTcpUrls.stream().map(URI::toString).toList(),
                        devTokenFile().toString(),
                        bootstrapServers,
                        shardTexts,
                        entries,
                        controlServer == null ? null : controlServer.url().toString())
                .write(clusterFile());
    }

    /**
     * Supervises a child: one that exits while the cluster runs and nobody stopped it (killed, or drained by a
     * SIGTERM from outside) is started again after {@link #RESTART_DELAY}, on the same port (Kafka, API) and data
     * dir, and cluster.json is rewritten with its new pid; so a chaos test can kill any process and the cluster
     * heals. (A rolling {@link #restart} stops its children itself and replaces them.)
     */
    private ChildProcess watch(ChildProcess child) {
        child.process().onExit().thenAccept(process -> {
            if (!child.stopping() && !closed.get()) {
                LOGGER.warn(
                        "process exited unexpectedly; restarting it name={} pid={} exit-code={} log={}",
                        child.name(),
                        process.pid(),
                        process.exitValue(),
                        child.log());
                Thread.ofVirtual().name("restart-" + child.name()).start(() -> restartExited(child));
            }
        });
        return child;
    }

    private void restartExited(ChildProcess old) {
        try {
            Thread.sleep(RESTART_DELAY);
            synchronized (this) {
                if (closed.get()) {
                    return;
                }
                ChildProcess fresh = watch(old.startAgain(withFixedPort(old)));
                if (old == kafka) {
                    kafka = fresh;
                } else {
                    replace(backends, old, fresh);
                    replace(apis, old, fresh);
                }
                LOGGER.info(
                        "process restarted name={} pid={}",
                        fresh.name(),
                        fresh.process().pid());
                String bootstrapServers = kafkaBootstrapServers;
                if (bootstrapServers != null) { // else the cluster is still starting: it writes the file itself
                    writeClusterFile(shardUris, bootstrapServers);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.error("process could not be restarted name={}", old.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The child's arguments with {@code --port 0} (and an API node's {@code --tcp-port 0}) replaced by the port it
     * got, so its addresses stay the same.
     */
    private List<String> withFixedPort(ChildProcess child) {
        List<String> arguments = new ArrayList<>(child.arguments());
        int api = apis.indexOf(child);
        int tcpAt = arguments.indexOf("--tcp-port");
        if (tcpAt >= 0 && api >= 0 && api < apiTcpUrls.size() && "0".equals(arguments.get(tcpAt + 1))) {
            arguments.set(tcpAt + 1, Integer.toString(apiTcpUrls.get(api).getPort()));
        }
        int at = arguments.indexOf("--port");
        if (at < 0 || !"0".equals(arguments.get(at + 1))) {
            return arguments;
        }
        if (child != kafka && (api < 0 || api >= apiUrls.size())) {
            return arguments;
        }
        String address =
                child == kafka ? kafkaBootstrapServers : apiUrls.get(api).getAuthority();
        if (address == null) {
            return arguments;
        }
        arguments.set(at + 1, address.substring(address.lastIndexOf(':') + 1).replace("/", ""));
        return arguments;
    }

    private static void replace(List<ChildProcess> children, ChildProcess old, ChildProcess fresh) {
        int at = children.indexOf(old);
        if (at >= 0) {
            children.set(at, fresh);
        }
    }

    private static void awaitHealthy(URI api) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(api.resolve("/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException("the API node at " + api + " did not become ready (no shard with a serving backend)");
    }

    private Path log(String name) {
        return dataDir.resolve("logs").resolve(name + ".log");
    }

    /**
     * Rolling restart: replaces the processes of {@code role} one at a time (backends first with {@code ALL}), each
     * the way an orchestrator replaces a pod: SIGTERM (a backend drains: no new sessions, in-flight work finishes,
     * its sessions move to the shard's other nodes), wait for it to exit, start the replacement with the same node
     * id, shard and (for an API node) the same port, wait until it serves; cluster.json is rewritten after each.
     * With one backend per shard or one API node, that shard or the API is unavailable while its only node
     * restarts. {@code progress} gets one line per step.
     */
    public synchronized void restart(RestartRole role, Consumer<String> progress)
            throws IOException, InterruptedException {
        if (role == RestartRole.BACKEND || role == RestartRole.ALL) {
            for (int i = 0; i < backends.size(); i++) {
                requireOpen();
                ChildProcess old = backends.get(i);
                progress.accept(
                        "restarting " + old.name() + " pid=" + old.process().pid() + ": draining");
                old.terminate();
                old.awaitExit(BACKEND_STOP_GRACE);
                ChildProcess replacement = watch(old.startAgain(old.arguments()));
                backends.set(i, replacement);
                replacement.awaitReady(START_TIMEOUT);
                writeClusterFile(shardUris, startedBootstrapServers());
                progress.accept("restarted " + old.name() + " pid="
                        + replacement.process().pid() + ": serving");
            }
        }
        if (role == RestartRole.API || role == RestartRole.ALL) {
            for (int i = 0; i < apis.size(); i++) {
                requireOpen();
                ChildProcess old = apis.get(i);
                URI url = apiUrls.get(i);
                progress.accept(
                        "restarting " + old.name() + " pid=" + old.process().pid() + " url=" + url);
                old.terminate();
                old.awaitExit(API_STOP_GRACE);
                List<String> arguments = new ArrayList<>(old.arguments());
                arguments.set(arguments.indexOf("--port") + 1, Integer.toString(url.getPort())); // clients keep it
                arguments.set(
                        arguments.indexOf("--tcp-port") + 1,
                        Integer.toString(apiTcpUrls.get(i).getPort()));
                ChildProcess replacement = watch(old.startAgain(arguments));
                apis.set(i, replacement);
                Map<String, String> ready = replacement.awaitReady(START_TIMEOUT);
                URI newUrl = URI.create(ready.get("url"));
                awaitHealthy(newUrl);
                apiUrls.set(i, newUrl);
                apiTcpUrls.set(i, URI.create(ready.get("tcp-url")));
                writeClusterFile(shardUris, startedBootstrapServers());
                progress.accept("restarted " + old.name() + " pid="
                        + replacement.process().pid() + ": serving");
            }
        }
    }

    /** Kafka's address: known from the end of startAll, before the control endpoint takes restarts. */
    private String startedBootstrapServers() {
        String bootstrapServers = kafkaBootstrapServers;
        if (bootstrapServers == null) {
            throw new IllegalStateException("the local cluster has not started Kafka yet");
        }
        return bootstrapServers;
    }

    private void requireOpen() throws IOException {
        if (closed.get()) {
            throw new IOException("the local cluster is stopping");
        }
    }

    /**
     * Caps every API and backend process at the cluster's {@code --node-cpu} from now on (and those started later):
     * for a cluster started with {@link LocalClusterOptions#capAtStart()} false, whose nodes started (and may
     * have warmed up) uncapped. Their JIT compiler threads are moved out of the caps, into a group without a quota
     * (see {@link CpuGroups}): the capped nodes stand for warm machines. Idempotent; nothing to do without {@code
     * --node-cpu}. Returns how many compiler threads it moved out of the caps.
     */
    public int capNodes() throws IOException {
        if (cpuGroups.isEmpty()) {
            return 0;
        }
        int moved = cpuGroups.get().capAll();
        LOGGER.info(
                "capped every API and backend node cores={} compiler-threads-uncapped={}",
                cpuGroups.get().cores(),
                moved);
        return moved;
    }

    /** Stops the API nodes, drains the backends, stops Kafka; deletes the virtual hosts it made. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOGGER.info("stopping the local cluster");
        if (control != null) {
            control.close();
        }
        synchronized (this) { // a restart in progress finishes its node first
            stopAll();
        }
    }

    private void stopAll() {
        try {
            stop(apis, API_STOP_GRACE);
            stop(backends, BACKEND_STOP_GRACE);
            if (kafka != null) {
                stop(List.of(kafka), Duration.ofSeconds(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cpuGroups.ifPresent(CpuGroups::close); // every child has exited: their groups are empty
        VirtualHosts hosts = virtualHosts; // none when URIs are per shard
        if (hosts != null) {
            createdVirtualHosts.forEach(hosts::delete);
        }
        try {
            Files.deleteIfExists(virtualHostsFile());
            Files.deleteIfExists(clusterFile());
            lock.close();
        } catch (IOException e) {
            LOGGER.warn("could not clean up data-dir={}", dataDir, e);
        }
        LOGGER.info("stopped the local cluster");
    }

    private static void stop(List<ChildProcess> children, Duration grace) throws InterruptedException {
        children.forEach(ChildProcess::terminate);
        for (ChildProcess child : children) {
            child.awaitExit(grace);
        }
    }

    private static FileChannel lock(Path dir) throws IOException {
        FileChannel channel =
                FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            channel.close();
            throw new IOException("data dir " + dir + " is in use by another switchboard process");
        }
        return channel;
    }
}
