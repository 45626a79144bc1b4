package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.DrainState;
import dev.switchboard.backend.RejectedRecords;
import dev.switchboard.protocol.thrift.SessionMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;

/**
 * The backend node's meters (names in {@code docs/metrics.md}): events and bytes written and read, sessions by
 * mode, commit latency, rejected records, drain state, and the node-wide producer's Kafka client metrics.
 * Per-session consumers are not bound: their client ids would make a series per session.
 */
public final class BackendMetrics implements AutoCloseable {
    private static final String REQUESTS_REFUSED =
            "Requests the node answered BUSY, or dropped unrun past their deadline, to protect itself, by reason";

    private final MeterRegistry registry;
    private final TopicLabels topics;
    private final Counter bytesWritten;
    private final Counter bytesRead;
    private final Timer commits;
    private volatile @Nullable KafkaClientMetrics producerMetrics;

    public BackendMetrics(MeterRegistry registry, TopicLabels topics) {
        this.registry = registry;
        this.topics = topics;
        this.bytesWritten = Counter.builder("switchboard.bytes.written")
                .description("Bytes of record values acknowledged by Kafka (sealed form)")
                .register(registry);
        this.bytesRead = Counter.builder("switchboard.bytes.read")
                .description("Bytes of event payloads delivered to readers (first delivery only)")
                .register(registry);
        this.commits = Timer.builder("switchboard.commit")
                .description("From a commit's arrival on the backend to its answer")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** Meters that go nowhere, for nodes started without a registry (tests, embedding). */
    public static BackendMetrics none() {
        return new BackendMetrics(
                new io.micrometer.core.instrument.composite.CompositeMeterRegistry(), new TopicLabels(0));
    }

    /** {@code events} records of {@code topic} holding {@code bytes} value bytes were acknowledged by Kafka. */
    public void written(String topic, int events, long bytes) {
        registry.counter("switchboard.events.written", "topic", topics.of(topic))
                .increment(events);
        bytesWritten.increment(bytes);
    }

    /** {@code events} events of {@code topic} holding {@code bytes} payload bytes went to a reader. */
    public void read(String topic, int events, long bytes) {
        registry.counter("switchboard.events.read", "topic", topics.of(topic)).increment(events);
        bytesRead.increment(bytes);
    }

    /** A commit took {@code nanos} from its arrival to its answer. */
    public void committed(long nanos) {
        commits.record(Duration.ofNanos(nanos));
    }

    /**
     * {@code switchboard_records_rejected_total{reason}} and the dead-letter copies, from the node's fail-closed
     * reads.
     */
    public void bindRejected(RejectedRecords rejected) {
        for (RejectedRecords.Reason reason : RejectedRecords.Reason.values()) {
            FunctionCounter.builder("switchboard.records.rejected", rejected, records -> records.rejected(reason))
                    .description("Records a reader refused to deliver (skipped and dead-lettered), by reason")
                    .tag("reason", reason.label())
                    .register(registry);
        }
        FunctionCounter.builder("switchboard.dead.letters", rejected, RejectedRecords::deadLettered)
                .description("Copies of rejected records written to their dead-letter topic")
                .register(registry);
        FunctionCounter.builder("switchboard.dead.letter.failures", rejected, RejectedRecords::deadLetterFailures)
                .description("Copies of rejected records that could not be written to their dead-letter topic")
                .register(registry);
    }

    /**
     * What the node refused to protect itself ({@code NodeLimits}) and what it holds:
     * {@code switchboard_sessions_refused_total{reason}} ({@code node-full}, {@code principal-full}),
     * {@code switchboard_writes_refused_total{reason}} ({@code staged-bytes}, {@code principal-staged-bytes}),
     * {@code switchboard_reads_refused_total{reason}} ({@code prefetch-bytes}, {@code principal-prefetch-bytes}),
     * {@code switchboard_requests_refused_total{reason}} ({@code principal-requests}, {@code queue-delay},
     * {@code expired}), {@code switchboard_staged_bytes} and
     * {@code switchboard_prefetch_bytes}.
     */
    public void bindCounters(BackendCounters counters) {
        FunctionCounter.builder("switchboard.sessions.refused", counters, BackendCounters::sessionsRefusedNodeFull)
                .description("Allocations answered BUSY to protect the node, by the limit that was reached")
                .tag("reason", "node-full")
                .register(registry);
        FunctionCounter.builder("switchboard.sessions.refused", counters, BackendCounters::sessionsRefusedPrincipalFull)
                .description("Allocations answered BUSY to protect the node, by the limit that was reached")
                .tag("reason", "principal-full")
                .register(registry);
        FunctionCounter.builder("switchboard.writes.refused", counters, BackendCounters::writesRefusedStagedBytes)
                .description("Writes answered BUSY to protect the node, by the limit that was reached")
                .tag("reason", "staged-bytes")
                .register(registry);
        FunctionCounter.builder(
                        "switchboard.writes.refused", counters, BackendCounters::writesRefusedPrincipalStagedBytes)
                .description("Writes answered BUSY to protect the node, by the limit that was reached")
                .tag("reason", "principal-staged-bytes")
                .register(registry);
        FunctionCounter.builder("switchboard.reads.refused", counters, BackendCounters::readsRefusedPrefetchBytes)
                .description("Reads answered BUSY to protect the node, by the limit that was reached")
                .tag("reason", "prefetch-bytes")
                .register(registry);
        FunctionCounter.builder(
                        "switchboard.reads.refused", counters, BackendCounters::readsRefusedPrincipalPrefetchBytes)
                .description("Reads answered BUSY to protect the node, by the limit that was reached")
                .tag("reason", "principal-prefetch-bytes")
                .register(registry);
        FunctionCounter.builder("switchboard.requests.refused", counters, BackendCounters::requestsRefusedPrincipalBusy)
                .description(REQUESTS_REFUSED)
                .tag("reason", "principal-requests")
                .register(registry);
        FunctionCounter.builder("switchboard.requests.refused", counters, BackendCounters::requestsRefusedQueueDelay)
                .description(REQUESTS_REFUSED)
                .tag("reason", "queue-delay")
                .register(registry);
        FunctionCounter.builder("switchboard.requests.refused", counters, BackendCounters::requestsDroppedExpired)
                .description(REQUESTS_REFUSED)
                .tag("reason", "expired")
                .register(registry);
        Gauge.builder("switchboard.staged.bytes", counters, BackendCounters::stagedBytes)
                .description("Bytes of events written and not yet committed on this node")
                .strongReference(true)
                .register(registry);
        Gauge.builder("switchboard.prefetch.bytes", counters, BackendCounters::prefetchBytes)
                .description("Bytes of read buffers (read-ahead, consumers' fetches, tail caches) the node holds")
                .strongReference(true)
                .register(registry);
    }

    /** {@code switchboard_sessions{mode}} from the registry's live count. */
    public void bindSessions(SessionRegistry sessions) {
        for (SessionMode mode : SessionMode.values()) {
            Gauge.builder("switchboard.sessions", sessions, registry -> registry.count(mode))
                    .description("Sessions hosted on this node, by mode")
                    .tag("mode", mode.name().toLowerCase(Locale.ROOT))
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder("switchboard.sessions.parked", sessions, SessionRegistry::parkedCount)
                .description("Sessions parked after being idle: they hold no Kafka consumer and no read-ahead")
                .strongReference(true)
                .register(registry);
    }

    /** {@code switchboard_drain_state}: {@link DrainState#code()} (0 serving, 1 draining, 2 spilling, 3 closed). */
    public void bindDrainState(Supplier<DrainState> state) {
        Gauge.builder("switchboard.drain.state", state, current -> current.get().code())
                .description("0 serving, 1 draining, 2 spilling, 3 closed")
                .strongReference(true)
                .register(registry);
    }

    /** Kafka's own producer metrics (kafka_producer_*), for the node-wide producer. */
    public void bindProducer(Producer<?, ?> producer) {
        KafkaClientMetrics binder = new KafkaClientMetrics(producer);
        binder.bindTo(registry);
        producerMetrics = binder;
    }

    /** Stops refreshing the producer's metrics (its own scheduler). */
    @Override
    public void close() {
        KafkaClientMetrics binder = producerMetrics;
        if (binder != null) {
            binder.close();
        }
    }
}
