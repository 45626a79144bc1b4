package dev.switchboard.backend;

import dev.switchboard.backend.internal.Allocator;
import dev.switchboard.backend.internal.DataKeys;
import dev.switchboard.backend.internal.EnvelopeCipher;
import dev.switchboard.backend.internal.KafkaErrors;
import dev.switchboard.backend.internal.Publisher;
import dev.switchboard.backend.internal.ReadGate;
import dev.switchboard.backend.internal.RecordCipher;
import dev.switchboard.backend.internal.Requests;
import dev.switchboard.backend.internal.SessionRegistry;
import dev.switchboard.backend.internal.TailReaders;
import dev.switchboard.backend.internal.TopicManager;
import dev.switchboard.backend.internal.WriterLedger;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.SwitchResponses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend node: hosts read and write sessions over Kafka and answers the switch's requests. Each session has
 * its own serial queue on virtual threads, so sessions run concurrently while one session's requests are
 * handled one at a time, in arrival order.
 *
 * <p>Lifecycle: running → draining ({@link #drain}: no allocations, no new reads, writes or commits; acks,
 * disposes and commits already queued finish) → closed ({@link #close}: waits for queued work up to the drain
 * timeout, disposes every session, flushes and closes the producer).
 */
public final class BackendNode implements BackendEndpoint, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BackendNode.class);
    private static final Executor VIRTUAL_THREADS =
            task -> Thread.ofVirtual().name("sb-session").start(task);
    /** How many writers' last committed seq a node remembers (least recently used are forgotten). */
    private static final int REMEMBERED_WRITERS = 100_000;

    private final BackendConfig config;
    private final TopicManager topics;
    private final Publisher publisher;
    private final SessionRegistry registry;
    private final Allocator allocator;
    private final TailReaders tails;
    private final ReadGate gate;
    private final Optional<DataKeys> dataKeys;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private BackendNode(BackendConfig config, CursorCodec cursors, Clock clock, Optional<DataKeys> dataKeys) {
        this.config = config;
        this.dataKeys = dataKeys;
        this.topics = new TopicManager(config);
        try {
            this.publisher = Publisher.create(config);
        } catch (RuntimeException e) {
            topics.close();
            dataKeys.ifPresent(DataKeys::close);
            throw e;
        }
        this.registry = new SessionRegistry(config.nodeId(), config.limits().sessionTtl());
        EncryptionConfig encryption = config.encryption();
        RecordCipher cipher = dataKeys.<RecordCipher>map(keys -> new EnvelopeCipher(
                        keys, encryption.enabled(), !encryption.enabled() || encryption.acceptUnsealed()))
                .orElse(RecordCipher.PLAIN);
        this.gate = ReadGate.of(config, cipher, topics, publisher);
        this.tails = TailReaders.of(config, gate);
        this.allocator = new Allocator(
                config,
                cursors,
                topics,
                publisher,
                new WriterLedger(REMEMBERED_WRITERS),
                registry,
                draining::get,
                VIRTUAL_THREADS,
                clock,
                cipher,
                tails);
    }

    /**
     * Starts a node; {@code clusterSecret} signs cursors (at least 16 bytes, the same on every node). With
     * encryption enabled, opens the {@code local} key management service from the configured keystore (creating
     * it when allowed) and the keys topic.
     */
    public static BackendNode start(BackendConfig config, byte[] clusterSecret, Clock clock) {
        EncryptionConfig encryption = config.encryption();
        if (encryption.keystore().isEmpty()) {
            return start(config, clusterSecret, clock, Optional.empty());
        }
        try {
            return start(
                    config,
                    clusterSecret,
                    clock,
                    Optional.of(LocalKeyManagementService.open(
                            encryption.keystore().get(),
                            encryption.keystorePassword().toCharArray(),
                            encryption.createKeystore())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a node with a given key management service (any implementation); without one, sealed records
     * cannot be read and nothing is sealed. {@code encryption.enabled} decides whether this node seals.
     */
    public static BackendNode start(
            BackendConfig config, byte[] clusterSecret, Clock clock, Optional<KeyManagementService> kms) {
        Optional<DataKeys> dataKeys = kms.map(service -> DataKeys.open(config, service, clock));
        BackendNode node = new BackendNode(config, new CursorCodec(clusterSecret), clock, dataKeys);
        LOGGER.info(
                "backend node started shard={} node={} bootstrap-servers={} encryption={}",
                config.shard(),
                config.nodeId(),
                config.bootstrapServers(),
                config.encryption().enabled() ? "on" : "off");
        return node;
    }

    @Override
    public String shard() {
        return config.shard();
    }

    @Override
    public String nodeId() {
        return config.nodeId();
    }

    /**
     * How many sessions this node hosts now; always present. (The same shape as the switch's
     * {@code BackendEndpoint.sessionCount()}, which the presence announcements read.)
     */
    public OptionalInt sessionCount() {
        return OptionalInt.of(registry.size());
    }

    /** What this node's fail-closed reads refused to deliver (for metrics). */
    public RejectedRecords rejectedRecords() {
        return gate;
    }

    public boolean draining() {
        return draining.get();
    }

    @Override
    public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
        String session = "-";
        try {
            if (request == null || request.getSetField() == null) {
                throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "request holds no call");
            }
            session = Requests.sessionId(request).orElse("-");
            LOGGER.debug("request call={} session={} node={}", request.getSetField(), session, config.nodeId());
            String context = session;
            return dispatch(request).exceptionally(failure -> error(failure, context));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(e, session));
        }
    }

    private CompletableFuture<SwitchResponse> dispatch(SwitchRequest request) {
        return switch (request.getSetField()) {
            case ALLOCATE -> allocate(request);
            case DISPOSE -> dispose(request.getDispose().getSessionId());
            case READ, WRITE, COMMIT -> {
                if (draining.get()) {
                    throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining; allocate a new session");
                }
                yield forward(request);
            }
            case ACK -> forward(request);
        };
    }

    private CompletableFuture<SwitchResponse> allocate(SwitchRequest request) {
        if (draining.get()) {
            throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining; allocate elsewhere");
        }
        return CompletableFuture.supplyAsync(
                () -> SwitchResponse.allocate(allocator.allocate(request.getAllocate())), VIRTUAL_THREADS);
    }

    private CompletableFuture<SwitchResponse> forward(SwitchRequest request) {
        String id = ownSession(Requests.sessionId(request).orElse(""));
        return registry.find(id)
                .orElseThrow(() -> SwitchboardException.of(
                        ErrorCode.SESSION_LOST, "session unknown on this node (expired or disposed)"))
                .submit(request);
    }

    private CompletableFuture<SwitchResponse> dispose(String sessionId) {
        String id = ownSession(sessionId);
        return registry.dispose(id, "disposed by client")
                .thenApply(ignored -> SwitchResponse.dispose(new DisposeResponse()));
    }

    /** The id, when it names a session of this node; SESSION_LOST when it names another node. */
    private String ownSession(String sessionId) {
        SessionId id = SessionId.parse(sessionId);
        if (!id.shard().equals(config.shard()) || !id.node().equals(config.nodeId())) {
            throw SwitchboardException.of(ErrorCode.SESSION_LOST, "session is not hosted on this node");
        }
        return id.toString();
    }

    private SwitchResponse error(Throwable failure, String session) {
        SwitchboardException error = KafkaErrors.toProtocol(failure, session);
        LOGGER.debug("request failed session={} code={} message={}", session, error.code(), error.getMessage());
        return SwitchResponses.error(error);
    }

    /** Stops taking allocations and new work; ends blocked long polls. Idempotent. */
    public void drain() {
        if (draining.compareAndSet(false, true)) {
            LOGGER.info("backend node draining shard={} node={} sessions={}", shard(), nodeId(), registry.size());
        }
        registry.wakeAll();
    }

    /** Drains, lets queued work (in-flight commits) finish up to the drain timeout, then releases everything. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        drain();
        long deadline = System.nanoTime() + config.limits().drainTimeout().toNanos();
        boolean finished = await(registry.idle(), deadline);
        CompletableFuture<Void> released = registry.disposeAll("node closed");
        gate.close(); // queued dead-letter copies are sent before the producer closes
        publisher.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        await(released, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        tails.close();
        registry.close();
        topics.close();
        dataKeys.ifPresent(DataKeys::close);
        LOGGER.info("backend node closed shard={} node={} drained-in-time={}", shard(), nodeId(), finished);
    }

    private static boolean await(CompletableFuture<Void> future, long deadline) {
        try {
            future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
