package dev.switchboard.backend.internal;

import dev.switchboard.backend.RejectedRecords.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies rejected records to their dead-letter topic ({@code dead-letter-topic}, a name in which {@code {topic}}
 * stands for the record's topic; default {@value #DEFAULT_TEMPLATE}), creating it when missing. The copy is the
 * record as it was in Kafka (key, value, headers, timestamp: still sealed when it was sealed) plus the headers
 * {@value #SOURCE} ({@code <topic>/<partition>@<offset>}), {@value #REASON} and {@value #DETAIL}. A record that
 * already carries {@value #SOURCE} is not copied again (no dead letters of dead letters).
 *
 * <p>Implementation notes: copies are made off the reader's thread, by one worker with a bounded queue of
 * {@value #MAX_PENDING}; past it a copy is dropped, logged and counted as a failure (the record stays in its
 * topic). Readers never wait for a copy.
 */
final class DeadLetters implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeadLetters.class);
    static final String DEFAULT_TEMPLATE = "{topic}.sb-dlq";
    static final String SOURCE = "sb-dlq-source";
    static final String REASON = "sb-dlq-reason";
    static final String DETAIL = "sb-dlq-detail";
    private static final int MAX_PENDING = 1000;
    private static final int REMEMBERED_TOPICS = 10_000;

    private final String template;
    private final Consumer<String> ensureTopic;
    private final Function<ProducerRecord<byte[], byte[]>, CompletableFuture<Void>> send;
    private final Set<String> existing = ConcurrentHashMap.newKeySet();
    private final LongAdder copied = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final ThreadPoolExecutor worker = new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING),
            Thread.ofPlatform().daemon().name("sb-dead-letters").factory());

    /**
     * @param template the dead-letter topic's name, {@code {topic}} replaced by the record's topic
     * @param ensureTopic creates a dead-letter topic when it does not exist (throws when it cannot)
     * @param send publishes a copy; completes once Kafka acknowledged it
     */
    DeadLetters(
            String template,
            Consumer<String> ensureTopic,
            Function<ProducerRecord<byte[], byte[]>, CompletableFuture<Void>> send) {
        this.template = template;
        this.ensureTopic = ensureTopic;
        this.send = send;
    }

    /** The dead-letter topic of {@code topic}. */
    String topicFor(String topic) {
        return template.replace("{topic}", topic);
    }

    /** Queues a copy of {@code record}; never blocks, never throws. */
    void copy(ConsumerRecord<byte[], byte[]> record, Reason reason, String detail) {
        if (record.headers().lastHeader(SOURCE) != null) {
            LOGGER.warn("dead letter not copied again record={}", where(record));
            return;
        }
        try {
            worker.execute(() -> publish(record, reason, detail));
        } catch (RejectedExecutionException e) {
            failed.increment();
            LOGGER.warn("dead letter dropped (too many pending copies) record={}", where(record));
        }
    }

    private void publish(ConsumerRecord<byte[], byte[]> record, Reason reason, String detail) {
        String target = topicFor(record.topic());
        try {
            if (!existing.contains(target)) {
                ensureTopic.accept(target);
                if (existing.size() >= REMEMBERED_TOPICS) {
                    existing.clear();
                }
                existing.add(target);
            }
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(SOURCE, bytes(where(record)));
            headers.add(REASON, bytes(reason.label()));
            headers.add(DETAIL, bytes(detail));
            send.apply(new ProducerRecord<>(target, null, record.timestamp(), record.key(), record.value(), headers))
                    .whenComplete((ignored, failure) -> {
                        if (failure == null) {
                            copied.increment();
                            LOGGER.info("dead letter copied record={} dead-letter-topic={}", where(record), target);
                        } else {
                            failed(record, target, failure);
                        }
                    });
        } catch (RuntimeException e) {
            failed(record, target, e);
        }
    }

    private void failed(ConsumerRecord<byte[], byte[]> record, String target, Throwable failure) {
        failed.increment();
        LOGGER.warn(
                "dead letter not copied record={} dead-letter-topic={} error={}",
                where(record),
                target,
                failure.toString());
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition() + "@" + record.offset();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    long copied() {
        return copied.sum();
    }

    long failed() {
        return failed.sum();
    }

    /** Lets queued copies go out for a moment, then stops. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdownNow();
    }
}
