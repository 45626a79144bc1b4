package dev.switchboard.server.ops;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit stream: access events as JSON records (schema in docs/operations.md) in {@value AuditEvent#TOPIC},
 * keyed by subject (so one subject's events keep their order), never a payload byte.
 *
 * <p>Implementation notes: {@link #record} only offers the event to a bounded queue ({@value #DEFAULT_CAPACITY}
 * events) and returns, so the request path never waits on Kafka; one writer thread takes events from the queue
 * and hands them to its own producer ({@code acks=all}, idempotent, bounded buffer). Nothing is lost silently:
 * every event ends counted in {@code switchboard_audit_records_total{outcome}} as {@code written} (Kafka
 * acknowledged it), {@code dropped} (the queue was full: Kafka slow or away) or {@code failed} (Kafka refused or
 * timed out), and drops and failures are logged at WARN (at most once a minute).
 */
public final class KafkaAuditLog implements AuditSink, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaAuditLog.class);
    private static final JsonFactory JSON = new JsonFactory();

    /** Events waiting for the writer thread, at most. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** How long close waits for queued events to reach Kafka. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Stops the writer thread once everything before it is handed to the producer. */
    private static final AuditEvent END = AuditEvent.of(java.time.Instant.EPOCH, "end", "end", "");

    private final BlockingQueue<AuditEvent> queue;
    private final Producer<byte[], byte[]> producer;
    private final Thread writer;
    private final Counter written;
    private final Counter dropped;
    private final Counter failed;
    private volatile boolean closed;
    private volatile long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

    KafkaAuditLog(Producer<byte[], byte[]> producer, int capacity, MeterRegistry meters) {
        this.producer = producer;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.written = counter(meters, "written");
        this.dropped = counter(meters, "dropped");
        this.failed = counter(meters, "failed");
        Gauge.builder("switchboard.audit.queued", queue, BlockingQueue::size)
                .description("Audit events waiting to be handed to Kafka")
                .register(meters);
        this.writer = Thread.ofPlatform().daemon().name("sb-audit").start(this::drain);
    }

    /**
     * Starts writing to the Kafka cluster at {@code bootstrapServers}, with the operator's pass-through client
     * properties ({@code kafka}); {@code nodeId} names the producer's client id.
     */
    public static KafkaAuditLog start(
            String bootstrapServers, Map<String, String> kafka, String nodeId, MeterRegistry meters) {
        Properties props = new Properties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "switchboard-audit-" + nodeId);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "50");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(8L * 1024 * 1024));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        props.putAll(kafka);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaAuditLog(new KafkaProducer<>(props), DEFAULT_CAPACITY, meters);
    }

    @Override
    public void record(AuditEvent event) {
        if (closed || !queue.offer(event)) {
            dropped.increment();
            warn(
                    "audit event dropped: the audit queue is full or closed (Kafka slow or unreachable?) event={}",
                    event.event());
        }
    }

    private void drain() {
        try {
            while (true) {
                AuditEvent event = queue.take();
                if (event == END) {
                    return;
                }
                send(event);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(AuditEvent event) {
        byte[] key =
                event.subject().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        try {
            producer.send(new ProducerRecord<>(AuditEvent.TOPIC, key, json(event)), (metadata, failure) -> {
                if (failure == null) {
                    written.increment();
                } else {
                    failed.increment();
                    warn("audit event not written event={} failure={}", event.event(), failure.toString());
                }
            });
        } catch (RuntimeException e) {
            failed.increment();
            warn("audit event not written event={} failure={}", event.event(), e.toString());
        }
    }

    /** The record's value: schema version {@value AuditEvent#VERSION}, absent fields left out. */
    static byte[] json(AuditEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("version", AuditEvent.VERSION);
            json.writeStringField("time", event.time().toString());
            json.writeStringField("event", event.event());
            json.writeStringField("outcome", event.outcome());
            json.writeStringField("node", event.node());
            field(json, "subject", event.subject());
            field(json, "topic", event.topic());
            field(json, "mode", event.mode());
            field(json, "session", event.session());
            field(json, "call", event.call());
            field(json, "reason", event.reason());
            field(json, "remote", event.remote());
            field(json, "trace_id", event.traceId());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: does not happen
        }
        return out.toByteArray();
    }

    private static void field(JsonGenerator json, String name, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            json.writeStringField(name, value.get());
        }
    }

    private void warn(String format, Object... arguments) {
        long now = System.nanoTime();
        if (now - lastWarnNanos >= WARN_EVERY_NANOS) {
            lastWarnNanos = now;
            LOGGER.warn(format, arguments);
        }
    }

    private static Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder("switchboard.audit.records")
                .description("Audit events by how they ended: written (acknowledged by Kafka), dropped (queue full),"
                        + " failed (Kafka refused or timed out)")
                .tag("outcome", outcome)
                .register(meters);
    }

    /** Hands what is queued to Kafka (waiting a few seconds at most), then stops; later events count as dropped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!queue.offer(END, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                writer.interrupt();
            }
            writer.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(CLOSE_TIMEOUT);
        int left = queue.size();
        if (left > 0) {
            dropped.increment(left);
            LOGGER.warn("audit events dropped at close events={}", left);
        }
    }
}
