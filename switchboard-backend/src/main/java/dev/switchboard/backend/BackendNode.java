package dev.switchboard.backend;

import dev.switchboard.backend.internal.Allocator;
import dev.switchboard.backend.internal.BackendMetrics;
import dev.switchboard.backend.internal.DataKeys;
import dev.switchboard.backend.internal.EnvelopeCipher;
import dev.switchboard.backend.internal.KafkaHealth;
import dev.switchboard.backend.internal.NodeProducer;
import dev.switchboard.backend.internal.PrincipalRequests;
import dev.switchboard.backend.internal.ProtocolErrors;
import dev.switchboard.backend.internal.ReadBuffers;
import dev.switchboard.backend.internal.ReadGate;
import dev.switchboard.backend.internal.RecordCipher;
import dev.switchboard.backend.internal.Requests;
import dev.switchboard.backend.internal.Scheduler;
import dev.switchboard.backend.internal.SessionRegistry;
import dev.switchboard.backend.internal.Spiller;
import dev.switchboard.backend.internal.StagedBytes;
import dev.switchboard.backend.internal.TailReaders;
import dev.switchboard.backend.internal.TopicLabels;
import dev.switchboard.backend.internal.TopicManager;
import dev.switchboard.backend.internal.TransactionalProducers;
import dev.switchboard.backend.internal.WriterStates;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.load.QueueDelayGate;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.SwitchResponses;
import dev.switchboard.switching.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A backend node: hosts read and write sessions over Kafka and answers the switch's requests. Each session has
 * its own serial queue on virtual threads, so sessions run concurrently while one session's requests are
 * handled one at a time, in arrival order.
 *
 * <p>Lifecycle ({@link NodeLifecycle}, shown as {@link DrainState}): with a data dir, a starting node first re-injects its spill journal, then
 * SERVING → DRAINING ({@link #drain}: no allocations, reads or writes, answered DRAINING; commits, acks and
 * disposes still work, and commits waiting for Kafka wait until the drain deadline) → SPILLING ({@link #close}
 * at the drain deadline, when commits still wait: the producer closes, the chunks Kafka did not acknowledge go
 * to the spill journal, forced to disk, and their commits answer SPILLED) → CLOSED (every session disposed).
 */
public final class BackendNode implements BackendEndpoint, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BackendNode.class);
    private static final Executor VIRTUAL_THREADS =
            task -> Thread.ofVirtual().name("sb-session").start(task);
    /** How long each step of the spill (collecting chunks, answering commits) may take. */
    private static final Duration SPILL_STEP_TIMEOUT = Duration.ofSeconds(10);
    /** How long closing waits for the sessions' resources to be released. */
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(2);
    /** How often re-injecting a spill journal tries Kafka again while it is unavailable. */
    private static final Duration REINJECT_RETRY = Duration.ofSeconds(2);
    /** How long one check of whether Kafka is reachable may take. */
    private static final Duration KAFKA_PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** Partitions of the audit topic when a node creates it. */
    private static final int AUDIT_PARTITIONS = 3;
    /** How long the audit topic keeps records when a node creates it. */
    private static final Duration AUDIT_RETENTION = Duration.ofDays(30);
    /** The instrumentation scope of the node's spans. */
    private static final String INSTRUMENTATION = "dev.switchboard.backend";

    private final BackendConfig config;
    private final TopicManager topics;
    private final NodeProducer publisher;
    private final WriterStates writerStates;
    private final SessionRegistry registry;
    private final Allocator allocator;
    private final TailReaders tails;
    private final PrincipalRequests principalRequests;
    private final QueueDelayGate queueDelay;
    private final ReadGate gate;
    private final KafkaHealth kafkaHealth;
    private final Optional<DataKeys> dataKeys;
    private final AtomicReference<NodeLifecycle.State> life = new AtomicReference<>(NodeLifecycle.INITIAL);
    /** The drain deadline and every wait of {@link #close} are measured by the node's clock and woken by this. */
    private final Clock clock;

    private final Scheduler scheduler;

    private final BackendMetrics metrics;

    private final BackendCounters counters = new BackendCounters();

    private volatile Tracer tracer = OpenTelemetry.noop().getTracer(INSTRUMENTATION);

    private BackendNode(
            BackendConfig config,
            TopicManager topics,
            CursorCodec cursors,
            Clock clock,
            Scheduler scheduler,
            Optional<DataKeys> dataKeys,
            MeterRegistry meterRegistry) {
        this.config = config;
        this.clock = clock;
        this.scheduler = scheduler;
        this.dataKeys = dataKeys;
        this.metrics = new BackendMetrics(meterRegistry, new TopicLabels(TopicLabels.DEFAULT_LIMIT));
        this.topics = topics;
        try {
            this.publisher = NodeProducer.create(config, metrics);
        } catch (RuntimeException e) {
            topics.close();
            dataKeys.ifPresent(DataKeys::close);
            throw e;
        }
        try {
            this.writerStates = WriterStates.open(config, clock, topics);
        } catch (RuntimeException e) {
            publisher.close();
            topics.close();
            dataKeys.ifPresent(DataKeys::close);
            throw e;
        }
        this.registry =
                new SessionRegistry(config.nodeId(), config.limits().sessionTtl(), config.nodeLimits(), counters);
        EncryptionConfig encryption = config.encryption();
        RecordCipher cipher = dataKeys.<RecordCipher>map(keys -> new EnvelopeCipher(
                        keys,
                        encryption.enabled(),
                        !encryption.enabled() || encryption.acceptUnsealed(),
                        encryption.compress()))
                .orElse(RecordCipher.PLAIN);
        this.gate = ReadGate.of(config, cipher, topics, publisher);
        this.kafkaHealth = new KafkaHealth(() -> topics.brokerCount(KAFKA_PROBE_TIMEOUT), config.nodeId());
        ReadBuffers readBuffers = new ReadBuffers(
                config.nodeLimits().maxPrefetchBytes(), config.nodeLimits().maxPrefetchBytesPerPrincipal(), counters);
        this.tails = TailReaders.of(config, gate, clock, readBuffers);
        this.principalRequests = new PrincipalRequests(config.nodeLimits().maxRequestsPerPrincipal(), counters);
        this.queueDelay =
                new QueueDelayGate(config.nodeLimits().maxQueueDelay(), clock, counters::countRequestRefusedQueueDelay);
        this.allocator = new Allocator(
                config,
                cursors,
                topics,
                publisher,
                writerStates,
                new TransactionalProducers(config.maxTransactionalProducers()),
                registry,
                this::draining,
                VIRTUAL_THREADS,
                clock,
                scheduler,
                cipher,
                tails,
                new StagedBytes(
                        config.nodeLimits().maxStagedBytes(),
                        config.nodeLimits().maxStagedBytesPerPrincipal(),
                        counters),
                readBuffers,
                metrics);
        metrics.bindSessions(registry);
        metrics.bindRejected(rejectedRecords());
        metrics.bindDrainState(this::drainState);
        metrics.bindCounters(counters);
    }

    /**
     * Creates the audit topic ({@link AuditEvent#TOPIC}) with the node's replication
     * when it does not exist (API nodes only write to it, so the backends create it).
     */
    public void ensureAuditTopic() {
        topics.ensure(
                AuditEvent.TOPIC,
                AUDIT_PARTITIONS,
                Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(AUDIT_RETENTION.toMillis())));
    }

    /**
     * Makes spans ({@code switchboard.backend <call>}) with {@code openTelemetry}'s tracer from now on (the no-op
     * API's until then: the incoming trace context still reaches the records written); call before it takes
     * sessions.
     */
    public void traceWith(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    }

    /** Hands the node's audit events (session expiries) to {@code audit}; call before it takes sessions. */
    public void auditTo(AuditSink audit) {
        registry.auditTo(audit);
    }

    /** What this node refused to protect itself, and what it holds (for metrics). */
    public BackendCounters counters() {
        return counters;
    }

    /**
     * Starts a node; {@code clusterSecret} signs cursors (at least 16 bytes, the same on every node). With
     * encryption enabled, opens the {@code local} key management service from the configured keystore (creating
     * it when allowed) and the keys topic.
     */
    public static BackendNode start(BackendConfig config, byte[] clusterSecret, Clock clock) {
        return start(config, clusterSecret, clock, new CompositeMeterRegistry());
    }

    /** As {@link #start(BackendConfig, byte[], Clock)}, registering the node's meters in {@code meters}. */
    public static BackendNode start(BackendConfig config, byte[] clusterSecret, Clock clock, MeterRegistry meters) {
        EncryptionConfig encryption = config.encryption();
        if (encryption.keystore().isEmpty()) {
            return start(config, clusterSecret, clock, Optional.empty(), meters);
        }
        try {
            return start(
                    config,
                    clusterSecret,
                    clock,
                    Optional.of(LocalKeyManagementService.open(
                            encryption.keystore().get(),
                            encryption.keystorePassword().toCharArray(),
                            encryption.createKeystore())),
                    meters);
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
        return start(config, clusterSecret, clock, kms, new CompositeMeterRegistry());
    }

    /** As {@link #start(BackendConfig, byte[], Clock, Optional)}, registering the node's meters in {@code meters}. */
    public static BackendNode start(
            BackendConfig config,
            byte[] clusterSecret,
            Clock clock,
            Optional<KeyManagementService> kms,
            MeterRegistry meters) {
        return start(config, clusterSecret, clock, Scheduler.real(), kms, meters);
    }

    /** For tests: as {@link #start(BackendConfig, byte[], Clock)}, with wake-ups a test can bring forward. */
    static BackendNode start(BackendConfig config, byte[] clusterSecret, Clock clock, Scheduler scheduler) {
        return start(config, clusterSecret, clock, scheduler, Optional.empty(), new CompositeMeterRegistry());
    }

    private static BackendNode start(
            BackendConfig config,
            byte[] clusterSecret,
            Clock clock,
            Scheduler scheduler,
            Optional<KeyManagementService> kms,
            MeterRegistry meters) {
        TopicManager topics = new TopicManager(config);
        BackendNode node;
        try {
            Optional<DataKeys> dataKeys = kms.map(service -> DataKeys.open(config, topics, service, clock));
            node = new BackendNode(config, topics, new CursorCodec(clusterSecret), clock, scheduler, dataKeys, meters);
        } catch (RuntimeException e) {
            topics.close();
            throw e;
        }
        config.dataDir().ifPresent(node::reinjectSpilled);
        LOGGER.info(
                "backend node started shard={} node={} bootstrap-servers={} encryption={}",
                config.shard(),
                config.nodeId(),
                config.bootstrapServers(),
                config.encryption().enabled() ? "on" : "off");
        return node;
    }

    /** Before the node takes any session: publishes what it spilled when it drained last time. */
    private void reinjectSpilled(java.nio.file.Path dataDir) {
        try {
            int chunks = Spiller.reinject(dataDir, publisher, writerStates, REINJECT_RETRY);
            if (chunks > 0) {
                LOGGER.info("spilled chunks re-injected node={} chunks={}", nodeId(), chunks);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while re-injecting the spill journal", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
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

    /** True while the node reaches Kafka (checked every 2 s); presence beats and readiness report it. */
    @Override
    public boolean kafkaReachable() {
        return kafkaHealth.reachable();
    }

    /** What this node's fail-closed reads refused to deliver (for metrics). */
    public RejectedRecords rejectedRecords() {
        return gate;
    }

    /** True once the node drains: it takes no sessions and no new reads or writes. */
    public boolean draining() {
        return !(life.get() instanceof NodeLifecycle.Serving);
    }

    /** Where the node stands in its drain (for the {@code switchboard_drain_state} gauge: {@link DrainState#code}). */
    public DrainState drainState() {
        return life().shown();
    }

    /** The node's life now: the reference starts at INITIAL and is only ever set to a state. */
    private NodeLifecycle.State life() {
        return Objects.requireNonNull(life.get(), "life");
    }

    /** Moves the node's life one step (atomically); the state it was in before. */
    private NodeLifecycle.State advance(NodeLifecycle.Command command) {
        while (true) {
            NodeLifecycle.State current = life();
            NodeLifecycle.State next = NodeLifecycle.apply(current, command);
            if (next == current) {
                return current;
            }
            if (life.compareAndSet(current, next)) {
                if (next.shown() != current.shown()) {
                    LOGGER.info(
                            "backend node {} shard={} node={}",
                            next.shown().name().toLowerCase(java.util.Locale.ROOT),
                            shard(),
                            nodeId());
                }
                return current;
            }
        }
    }

    @Override
    public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
        return handle(request, OptionalLong.empty());
    }

    /**
     * As {@link #handle(SwitchRequest)}; a read, write, ack or commit still queued behind its session's earlier
     * requests at {@code deadlineMillis} (by this node's clock) is dropped unrun, answered UNAVAILABLE and counted
     * ({@link BackendCounters#requestsDroppedExpired}): its sender has stopped waiting, and will send it again.
     */
    @Override
    public CompletableFuture<SwitchResponse> handle(SwitchRequest request, long deadlineMillis) {
        return handle(request, OptionalLong.of(deadlineMillis));
    }

    private CompletableFuture<SwitchResponse> handle(SwitchRequest request, OptionalLong deadline) {
        String call = request == null || request.getSetField() == null
                ? "invalid"
                : request.getSetField().getFieldName();
        String session = sessionOf(request);
        // A span per call, child of the API node's (its context came in the AMQP headers, or on this very thread
        // in standalone); the session's queued work and the records a write builds run under it.
        Span span = tracer.spanBuilder("switchboard.backend " + call)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("switchboard.session", session)
                .setAttribute("switchboard.node", config.nodeId())
                .startSpan();
        CompletableFuture<SwitchResponse> answer;
        // the session and trace ids on this call's log lines (JSON logs); the session's queue carries them on. In
        // standalone this runs on the API node's thread: its own values come back afterwards.
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        try (Scope scope = span.makeCurrent()) {
            MDC.put("session", session);
            TraceContext.traceId(Context.current()).ifPresent(trace -> MDC.put("trace_id", trace));
            answer = handleTraced(request, session, deadline);
        } finally {
            if (logContext == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(logContext);
            }
        }
        answer.whenComplete((response, failure) -> {
            if (response != null && response.isSetError()) {
                span.setStatus(
                        StatusCode.ERROR, String.valueOf(response.getError().getCode()));
            }
            span.end();
        });
        return answer;
    }

    private static String sessionOf(SwitchRequest request) {
        try {
            return request == null || request.getSetField() == null
                    ? "-"
                    : Requests.sessionId(request).orElse("-");
        } catch (RuntimeException e) {
            return "-"; // handleTraced answers it
        }
    }

    private CompletableFuture<SwitchResponse> handleTraced(
            SwitchRequest request, String session, OptionalLong deadline) {
        try {
            if (request == null || request.getSetField() == null) {
                throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "request holds no call");
            }
            LOGGER.debug("request call={} session={} node={}", request.getSetField(), session, config.nodeId());
            return dispatch(request, deadline).exceptionally(failure -> error(failure, session));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(e, session));
        }
    }

    /** Runs a request counted against its principal's requests in progress (dispose never waits for room). */
    private CompletableFuture<SwitchResponse> dispatch(SwitchRequest request, OptionalLong deadline) {
        Optional<String> principal = principalOf(request);
        principal.ifPresent(principalRequests::enter);
        CompletableFuture<SwitchResponse> answer;
        try {
            answer = route(request, deadline);
        } catch (RuntimeException e) {
            principal.ifPresent(principalRequests::leave);
            throw e;
        }
        principal.ifPresent(name -> answer.whenComplete((ignored, failure) -> principalRequests.leave(name)));
        return answer;
    }

    /** Whose request it is: the token's subject on allocate, the session's allocator on later calls. */
    private Optional<String> principalOf(SwitchRequest request) {
        return switch (request.getSetField()) {
            case ALLOCATE ->
                Optional.ofNullable(request.getAllocate().getPrincipal()).filter(name -> !name.isBlank());
            case DISPOSE -> Optional.empty();
            case READ, WRITE, COMMIT, ACK -> Requests.sessionId(request).flatMap(registry::principalOf);
        };
    }

    private CompletableFuture<SwitchResponse> route(SwitchRequest request, OptionalLong deadline) {
        return switch (request.getSetField()) {
            case ALLOCATE -> {
                queueDelay.admit("allocate");
                yield allocate(request);
            }
            case DISPOSE -> dispose(request.getDispose().getSessionId());
            case READ -> {
                if (draining()) {
                    throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining; allocate a new session");
                }
                queueDelay.admit("read");
                yield forward(request, deadline);
            }
            case WRITE -> {
                if (draining()) {
                    throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining; allocate a new session");
                }
                queueDelay.admit("write");
                // a write with its commit riding on it waits for Kafka: its time counts as a commit's, not the gate's
                yield request.getWrite().isCommit()
                        ? timedCommit(request, deadline)
                        : timed(forward(request, deadline));
            }
            // a draining node still commits what a session staged: the answer tells the client exactly what is in
            // Kafka (or spilled), so it resends nothing twice when it moves to another node
            case COMMIT -> timedCommit(request, deadline);
            case ACK -> timed(forward(request, deadline));
        };
    }

    /** A commit, or a write with the commit riding on it: its time counts as a commit's. */
    private CompletableFuture<SwitchResponse> timedCommit(SwitchRequest request, OptionalLong deadline) {
        long startNanos = System.nanoTime();
        return forward(request, deadline)
                .whenComplete((answer, failure) -> metrics.committed(System.nanoTime() - startNanos));
    }

    /** Tells the queue-delay gate how long a request the node works on at once (write, ack) took to answer. */
    private CompletableFuture<SwitchResponse> timed(CompletableFuture<SwitchResponse> answer) {
        long arrived = clock.millis();
        answer.whenComplete((response, failure) -> queueDelay.finished(arrived));
        return answer;
    }

    private CompletableFuture<SwitchResponse> allocate(SwitchRequest request) {
        if (draining()) {
            throw SwitchboardException.of(ErrorCode.DRAINING, "node is draining; allocate elsewhere");
        }
        return CompletableFuture.supplyAsync(
                () -> SwitchResponse.allocate(allocator.allocate(request.getAllocate())), VIRTUAL_THREADS);
    }

    private CompletableFuture<SwitchResponse> forward(SwitchRequest request, OptionalLong deadline) {
        String id = ownSession(Requests.sessionId(request).orElse(""));
        return registry.find(id)
                .orElseThrow(() -> SwitchboardException.of(
                        ErrorCode.SESSION_LOST, "session unknown on this node (expired or disposed)"))
                .submit(request, deadline, counters::countRequestDroppedExpired);
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
        SwitchboardException error = ProtocolErrors.toProtocol(failure, session);
        LOGGER.debug("request failed session={} code={} message={}", session, error.code(), error.getMessage());
        return SwitchResponses.error(error);
    }

    /** Stops taking allocations and new reads and writes; ends blocked long polls. Idempotent. */
    public void drain() {
        if (advance(NodeLifecycle.Command.DRAIN) instanceof NodeLifecycle.Serving) {
            LOGGER.info("backend node draining shard={} node={} sessions={}", shard(), nodeId(), registry.size());
        }
        registry.wakeAll();
    }

    /**
     * Drains, lets in-flight commits finish up to the drain timeout, then (with a data dir) writes what Kafka has
     * not acknowledged to the spill journal and answers those commits SPILLED, then releases everything.
     */
    @Override
    public void close() {
        NodeLifecycle.State before = advance(NodeLifecycle.Command.CLOSE);
        if (!(before instanceof NodeLifecycle.Serving || before instanceof NodeLifecycle.Draining)) {
            return; // closing, or closed, already
        }
        if (before instanceof NodeLifecycle.Serving) {
            LOGGER.info("backend node draining shard={} node={} sessions={}", shard(), nodeId(), registry.size());
        }
        registry.wakeAll();
        kafkaHealth.close();
        long deadline = clock.millis() + config.limits().drainTimeout().toMillis();
        boolean finished = await(registry.idle(), config.limits().drainTimeout());
        gate.close(); // queued dead-letter copies are sent before the producer closes
        if (!finished && config.dataDir().isPresent()) {
            advance(NodeLifecycle.Command.SPILL);
            publisher.close(Duration.ZERO); // every publish gets its outcome now: acknowledged, or to be spilled
            Spiller.spill(registry, config.dataDir().get(), nodeId(), SPILL_STEP_TIMEOUT);
            await(registry.idle(), SPILL_STEP_TIMEOUT);
        }
        CompletableFuture<Void> released = registry.disposeAll("node closed");
        publisher.close(Duration.ofMillis(Math.max(0, deadline - clock.millis())));
        await(released, RELEASE_TIMEOUT);
        metrics.close();
        tails.close();
        writerStates.close();
        registry.close();
        topics.close();
        dataKeys.ifPresent(DataKeys::close);
        advance(NodeLifecycle.Command.FINISH);
        LOGGER.info("backend node closed shard={} node={} drained-in-time={}", shard(), nodeId(), finished);
    }

    /** Waits for {@code future} at most {@code timeout} of the node's clock; true when it completed normally. */
    private boolean await(CompletableFuture<Void> future, Duration timeout) {
        CompletableFuture<Void> due = scheduler.after(timeout);
        try {
            CompletableFuture.anyOf(future.handle((ignored, failure) -> null), due)
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        } finally {
            due.cancel(false);
        }
        return future.isDone() && !future.isCompletedExceptionally();
    }
}
