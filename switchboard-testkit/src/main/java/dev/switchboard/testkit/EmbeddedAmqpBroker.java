package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.QpidInitialConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;
import org.apache.qpid.server.model.VirtualHostNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker in the test JVM: Apache Qpid Broker-J with an in-memory configuration and in-memory
 * virtual hosts, listening on 127.0.0.1 only, user {@code guest}/{@code guest}. Used when no RabbitMQ answers,
 * and by tests that must stop and restart a broker.
 *
 * <p>{@link #start()} picks a free port; {@link #stop()} then {@link #restart()} brings the broker back on the
 * same port with empty virtual hosts, as a restarted RabbitMQ without durable objects would be.
 */
public final class EmbeddedAmqpBroker implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedAmqpBroker.class);

    private final Path workDir;
    private final int requestedPort;
    private Optional<QpidInitialConfig.Tls> tls;
    /** The launched broker; null while stopped. */
    private @Nullable Running running;

    private int port;

    private EmbeddedAmqpBroker(Path workDir, int requestedPort, Optional<QpidInitialConfig.Tls> tls) {
        this.workDir = workDir;
        this.requestedPort = requestedPort;
        this.tls = tls;
    }

    /** Starts a broker on a free port of 127.0.0.1. */
    public static EmbeddedAmqpBroker start() {
        return start(0);
    }

    /** Starts a broker on {@code port} of 127.0.0.1 (0: any free port). */
    public static EmbeddedAmqpBroker start(int port) {
        EmbeddedAmqpBroker broker = new EmbeddedAmqpBroker(createWorkDir(), port, Optional.empty());
        broker.launch(port);
        return broker;
    }

    /**
     * Starts a broker on a free port of 127.0.0.1 with a second, TLS-only port (a free one too) presenting the
     * key and certificate of {@code certificate}'s PKCS12 key store; see {@link #amqpsUri()}.
     */
    public static EmbeddedAmqpBroker startWithTls(SelfSignedCertificate certificate) {
        QpidInitialConfig.Tls tls = new QpidInitialConfig.Tls(0, certificate.keyStore(), certificate.password());
        EmbeddedAmqpBroker broker = new EmbeddedAmqpBroker(createWorkDir(), 0, Optional.of(tls));
        broker.launch(0);
        return broker;
    }

    /** The broker's URI for the default virtual host. */
    public URI uri() {
        return URI.create("amqp://guest:guest@127.0.0.1:" + port);
    }

    /**
     * Creates an empty in-memory virtual host named {@code name} and returns its URI. Virtual hosts do not
     * survive {@link #stop()}.
     */
    public synchronized URI createVirtualHost(String name) {
        Running current = running;
        if (current == null) {
            throw new IllegalStateException("the embedded AMQP broker is stopped");
        }
        Broker<?> broker = current.system().getContainer(Broker.class);
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(VirtualHostNode.NAME, name);
        attributes.put(VirtualHostNode.TYPE, "Memory");
        attributes.put(VirtualHostNode.VIRTUALHOST_INITIAL_CONFIGURATION, "{ \"type\": \"Memory\" }");
        broker.createChild(VirtualHostNode.class, attributes);
        return URI.create(uri() + "/" + name);
    }

    /** Deletes a virtual host made by {@link #createVirtualHost}, with its queues and messages. */
    public synchronized void deleteVirtualHost(String name) {
        Running current = running;
        if (current == null) {
            return;
        }
        Broker<?> broker = current.system().getContainer(Broker.class);
        VirtualHostNode<?> node = broker.getChildByName(VirtualHostNode.class, name);
        if (node != null) {
            node.delete();
        }
    }

    public int port() {
        return port;
    }

    /**
     * The TLS port's URI for the default virtual host, naming the host {@code localhost} (the name a test
     * certificate carries); only for a broker made by {@link #startWithTls}.
     */
    public URI amqpsUri() {
        return URI.create("amqps://guest:guest@localhost:" + tlsPort());
    }

    /** The TLS port; only for a broker made by {@link #startWithTls}. */
    public synchronized int tlsPort() {
        return tls.orElseThrow(() -> new IllegalStateException("this embedded AMQP broker has no TLS port"))
                .port();
    }

    public synchronized boolean isRunning() {
        return running != null;
    }

    /** Stops the broker: every connection drops, every queue and message is gone. */
    public synchronized void stop() {
        Running current = running;
        if (current != null) {
            current.launcher().shutdown();
            running = null;
            LOGGER.info("embedded AMQP broker stopped port={}", port);
        }
    }

    /** Starts a stopped broker again on the same port. */
    public synchronized void restart() {
        if (running == null) {
            launch(port);
        }
    }

    @Override
    public void close() {
        stop();
        deleteRecursively(workDir);
    }

    private synchronized void launch(int wantedPort) {
        AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
        SystemLauncher started = new SystemLauncher(new ContainerListener(system));
        try {
            started.startup(systemAttributes(wantedPort));
        } catch (Exception e) {
            throw new IllegalStateException("embedded Qpid broker did not start on port " + wantedPort, e);
        }
        SystemConfig<?> resolved = system.get();
        if (resolved == null) {
            started.shutdown();
            throw new IllegalStateException("embedded Qpid broker started without a system configuration");
        }
        running = new Running(started, resolved);
        port = boundPort(resolved, QpidInitialConfig.AMQP_PORT_NAME);
        // A restart reuses the TLS port too.
        tls = tls.map(settings -> new QpidInitialConfig.Tls(
                boundPort(resolved, QpidInitialConfig.AMQPS_PORT_NAME), settings.keyStore(), settings.password()));
        LOGGER.info("embedded AMQP broker started port={} tls={} workDir={}", port, tls.isPresent(), workDir);
    }

    private Map<String, Object> systemAttributes(int wantedPort) {
        Path config = workDir.resolve("initial-config.json");
        try {
            Files.writeString(config, QpidInitialConfig.json(wantedPort, tls), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> context = new HashMap<>();
        context.put("qpid.work_dir", workDir.toString());
        context.put("qpid.home_dir", workDir.toString());
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(SystemConfig.TYPE, "Memory");
        attributes.put(
                SystemConfig.INITIAL_CONFIGURATION_LOCATION, config.toUri().toString());
        attributes.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
        attributes.put(SystemConfig.CONTEXT, context);
        return attributes;
    }

    private static int boundPort(SystemConfig<?> system, String name) {
        Broker<?> broker = system.getContainer(Broker.class);
        return broker.getPorts().stream()
                .filter(port -> port.getName().equals(name))
                .mapToInt(Port::getBoundPort)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("embedded Qpid broker has no " + name + " port"));
    }

    private static Path createWorkDir() {
        try {
            return Files.createTempDirectory("switchboard-test-qpid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp dir left behind is harmless
        }
    }

    /** A started broker: its launcher and the root of its object model. */
    private record Running(SystemLauncher launcher, SystemConfig<?> system) {}

    /** Keeps the system configuration, the root of the broker's object model, once the broker resolves it. */
    private record ContainerListener(AtomicReference<SystemConfig<?>> system) implements SystemLauncherListener {
        @Override
        public void onContainerResolve(SystemConfig<?> config) {
            system.set(config);
        }

        @Override
        public void beforeStartup() {}

        @Override
        public void errorOnStartup(RuntimeException e) {}

        @Override
        public void afterStartup() {}

        @Override
        public void onContainerClose(SystemConfig<?> config) {}

        @Override
        public void onShutdown(int exitCode) {}

        @Override
        public void exceptionOnShutdown(Exception e) {}
    }
}
