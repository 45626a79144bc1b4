package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.SessionMode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Creates sessions: validates the allocate request, finds (or creates) the topic, sets a reader at its starting
 * position or a writer after its last committed chunk, and registers the session.
 */
public final class Allocator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackendConfig config;
    private final AllocateValidator validator;
    private final CursorCodec cursors;
    private final TopicManager topics;
    private final NodeProducer publisher;
    private final WriterStates writerStates;
    private final TransactionalProducers transactionalProducers;
    private final SessionRegistry registry;
    private final BooleanSupplier draining;
    private final Executor executor;
    private final Clock clock;
    private final Scheduler scheduler;
    private final RecordCipher cipher;
    private final TailReaders tails;
    private final StagedBytes stagedBytes;
    private final ReadBuffers readBuffers;
    private final BackendMetrics metrics;

    public Allocator(
            BackendConfig config,
            CursorCodec cursors,
            TopicManager topics,
            NodeProducer publisher,
            WriterStates writerStates,
            TransactionalProducers transactionalProducers,
            SessionRegistry registry,
            BooleanSupplier draining,
            Executor executor,
            Clock clock,
            Scheduler scheduler,
            RecordCipher cipher,
            TailReaders tails,
            StagedBytes stagedBytes,
            ReadBuffers readBuffers,
            BackendMetrics metrics) {
        this.config = config;
        this.stagedBytes = stagedBytes;
        this.readBuffers = readBuffers;
        this.metrics = metrics;
        this.tails = tails;
        this.cipher = cipher;
        this.validator = new AllocateValidator(cursors);
        this.cursors = cursors;
        this.topics = topics;
        this.publisher = publisher;
        this.writerStates = writerStates;
        this.transactionalProducers = transactionalProducers;
        this.registry = registry;
        this.draining = draining;
        this.executor = executor;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    public AllocateResponse allocate(AllocateRequest request) {
        AllocationSpec spec = validator.validate(request);
        Optional<String> principal = Optional.ofNullable(request.getPrincipal()).filter(name -> !name.isBlank());
        // A place is reserved before any Kafka work, so that a flood of allocations costs the node nothing.
        registry.admit(principal);
        Admission admission = new Admission(principal);
        try {
            int partitions = topics.partitions(spec.topic(), spec.mode() == SessionMode.WRITE);
            SessionId id = SessionId.create(config.shard(), config.nodeId());
            return switch (spec.mode()) {
                case READ -> reader(id, spec, partitions, admission);
                case WRITE -> writer(id, spec, admission);
            };
        } finally {
            if (!admission.used) {
                registry.unadmit(principal);
            }
        }
    }

    /** One allocation's place in the registry: used once the session is added. */
    private final class Admission {
        private final Optional<String> principal;
        private boolean used;

        private Admission(Optional<String> principal) {
            this.principal = principal;
        }

        void add(HostedSession session) {
            used = true;
            registry.add(session, principal);
        }
    }

    private AllocateResponse reader(SessionId id, AllocationSpec spec, int partitions, Admission admission) {
        int prefetch = config.limits().prefetchEvents();
        int prefetchBytes = config.limits().prefetchBytes();
        Supplier<KafkaConsumer<byte[], byte[]>> consumers = () -> new KafkaConsumer<>(KafkaClients.consumer(
                config, id.random(), Fetcher.maxPollRecords(prefetch), Fetcher.fetchMaxBytes(prefetchBytes)));
        KafkaConsumer<byte[], byte[]> consumer = consumers.get();
        Fetcher fetcher;
        Cursor start;
        try {
            Map<TopicPartition, Long> positions = ReadStarts.resolve(consumer, spec.topic(), partitions, spec.start());
            fetcher = new Fetcher(
                    spec.topic(),
                    consumer,
                    consumers::get,
                    tails,
                    prefetch,
                    prefetchBytes,
                    readBuffers.account(admission.principal),
                    tails.gate(),
                    clock);
            fetcher.assign(positions);
            start = ReadStarts.cursorOf(spec.topic(), positions);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        // from here on the session owns the consumer: disposing the session closes it
        admission.add(
                new ReadSession(id, start, fetcher, cursors, config.limits(), draining, executor, clock, metrics));
        return response(id).setCursor(cursors.encode(start));
    }

    private AllocateResponse writer(SessionId id, AllocationSpec spec, Admission admission) {
        String writerId = spec.writerId().orElseGet(Allocator::newWriterId);
        WriterKey key = new WriterKey(spec.principal(), spec.topic(), writerId);
        // exactly-once: fence every older producer of the writer first, so the state read next is final
        ChunkPublisher chunks = spec.guarantee() == Guarantee.EXACTLY_ONCE
                ? TransactionalPublisher.open(config, key, executor, transactionalProducers.acquire())
                : new ChunkPublisher.AtLeastOnce(publisher, executor);
        try {
            // a writer id this node just made up has no history; any other is looked up in the durable state
            long lastCommitted = spec.writerId().isPresent() ? writerStates.lastCommitted(key) : 0;
            if (spec.lastCommittedHint() > lastCommitted) {
                // Never trusted: the session starts from the durable state or not at all. The one honest way to get
                // here is a commit answered SPILLED whose chunks wait in a drained node's journal until it starts
                // again and re-injects them (writing this state), so the answer is retriable; the key holds the
                // principal, so a false hint delays only the writer that sent it.
                throw SwitchboardException.of(
                        ErrorCode.UNAVAILABLE,
                        "writer state pending: writer '" + writerId + "' has committed up to chunk " + lastCommitted
                                + " on this topic in Kafka, not " + spec.lastCommittedHint() + "; chunks answered"
                                + " SPILLED reach Kafka when the node that spilled them starts again; allocate again");
            }
            admission.add(new WriteSession(
                    id,
                    key,
                    lastCommitted,
                    config.limits(),
                    chunks,
                    writerStates,
                    executor,
                    clock,
                    scheduler,
                    cipher,
                    () -> spec.guarantee() != Guarantee.EXACTLY_ONCE
                            && draining.getAsBoolean()
                            && config.dataDir().isPresent(),
                    stagedBytes.account(admission.principal)));
            return response(id).setWriterId(writerId).setLastCommittedSeq(lastCommitted);
        } catch (RuntimeException e) {
            chunks.close();
            throw e;
        }
    }

    private AllocateResponse response(SessionId id) {
        return new AllocateResponse(id.toString(), config.limits().toThrift());
    }

    private static String newWriterId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "w-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
