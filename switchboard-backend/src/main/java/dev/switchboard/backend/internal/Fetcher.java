package dev.switchboard.backend.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Event;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read session's view of Kafka: one consumer assigned to every partition of the topic (no group, nothing
 * committed) and a bounded read-ahead buffer. Not thread-safe: only the session's serial queue calls it,
 * except {@link #wakeup}.
 *
 * <p>Implementation notes: the buffer holds at most {@code prefetchEvents} records; the consumer is polled only
 * while a whole poll ({@code max.poll.records}, half the prefetch) still fits. An idle session {@link #park}s:
 * the consumer (about 170 KiB of heap and a few sockets) is closed and the read-ahead dropped, keeping only the
 * position of the next record per partition; the next fetch opens a new consumer there.
 */
final class Fetcher implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Fetcher.class);
    private static final AtomicLong UNREADABLE = new AtomicLong();

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private volatile Consumer<byte[], byte[]> consumer; // null while parked
    private Map<TopicPartition, Long> parkedAt = Map.of();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    private final int prefetchEvents;
    private final int maxPollRecords;
    private final RecordCipher cipher;

    Fetcher(Consumer<byte[], byte[]> consumer, int prefetchEvents, RecordCipher cipher) {
        this(
                consumer,
                () -> {
                    throw new IllegalStateException("this fetcher cannot open a new consumer");
                },
                prefetchEvents,
                cipher);
    }

    /** @param consumers opens a new consumer after {@link #park} (same settings as {@code consumer}) */
    Fetcher(
            Consumer<byte[], byte[]> consumer,
            Supplier<Consumer<byte[], byte[]>> consumers,
            int prefetchEvents,
            RecordCipher cipher) {
        this.consumer = consumer;
        this.consumers = consumers;
        this.cipher = cipher;
        this.prefetchEvents = prefetchEvents;
        this.maxPollRecords = maxPollRecords(prefetchEvents);
    }

    /**
     * Releases the consumer and the read-ahead of an idle session, remembering where each partition goes on. Does
     * nothing when already parked, or when the positions cannot be had without Kafka (then it stays as it is).
     */
    void park() {
        Consumer<byte[], byte[]> open = consumer;
        if (open == null) {
            return;
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        try {
            for (TopicPartition partition : open.assignment()) {
                next.put(partition, open.position(partition, Duration.ZERO));
            }
        } catch (RuntimeException e) {
            LOGGER.debug("not parking: consumer position unknown error={}", e.toString());
            return;
        }
        for (ConsumerRecord<byte[], byte[]> record : buffer) {
            next.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
        }
        buffer.clear();
        consumer = null;
        parkedAt = next;
        open.close(CloseOptions.timeout(Duration.ZERO));
    }

    boolean parked() {
        return consumer == null;
    }

    private Consumer<byte[], byte[]> consumer() {
        Consumer<byte[], byte[]> open = consumer;
        if (open == null) {
            open = consumers.get();
            open.assign(parkedAt.keySet());
            parkedAt.forEach(open::seek);
            parkedAt = Map.of();
            consumer = open;
        }
        return open;
    }

    /** The {@code max.poll.records} that keeps the buffer within {@code prefetchEvents}. */
    static int maxPollRecords(int prefetchEvents) {
        return Math.max(1, prefetchEvents / 2);
    }

    /** Assigns the partitions and positions the consumer at {@code positions}. */
    void assign(Map<TopicPartition, Long> positions) {
        Consumer<byte[], byte[]> open = consumer();
        open.assign(positions.keySet());
        positions.forEach(open::seek);
    }

    /**
     * The next batch of at most {@code maxEvents} events and about {@code maxBytes} bytes (always at least one
     * event when any is available), waiting up to {@code wait} when nothing is buffered. Empty on timeout.
     * Throws Kafka's {@code WakeupException} when {@link #wakeup} interrupted the wait.
     */
    Batch fetch(int maxEvents, long maxBytes, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        topUp(Duration.ZERO);
        while (buffer.isEmpty()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Batch.EMPTY;
            }
            topUp(Duration.ofNanos(remaining));
        }
        return take(maxEvents, maxBytes);
    }

    private void topUp(Duration timeout) {
        if (buffer.size() + maxPollRecords <= prefetchEvents) {
            consumer().poll(timeout).forEach(buffer::add);
        }
    }

    private Batch take(int maxEvents, long maxBytes) {
        List<Event> events = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        long bytes = 0;
        while (!buffer.isEmpty() && events.size() < maxEvents) {
            ConsumerRecord<byte[], byte[]> record = buffer.peekFirst();
            long size = Events.sizeOf(record);
            if (!events.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            Event event;
            try {
                event = Events.fromRecord(record, cipher.open(record));
            } catch (RecordCipher.UnreadableRecordException e) {
                if (!events.isEmpty()) {
                    break; // deliver what precedes it; the next read reports the unreadable record
                }
                throw unreadable(record, e);
            }
            buffer.removeFirst();
            events.add(event);
            nextOffsets.put(record.partition(), record.offset() + 1);
            bytes += size;
        }
        return new Batch(events, nextOffsets);
    }

    /**
     * An unreadable record stays at the head of the buffer (never skipped, never delivered as garbage): every
     * read reports it until an operator restores its key.
     */
    private static SwitchboardException unreadable(
            ConsumerRecord<byte[], byte[]> record, RecordCipher.UnreadableRecordException e) {
        String where = record.topic() + "/" + record.partition() + "@" + record.offset();
        LOGGER.warn("event cannot be decrypted record={} reason={}", where, e.getMessage());
        UNREADABLE.incrementAndGet();
        return SwitchboardException.of(ErrorCode.INTERNAL, "event " + where + " cannot be read: " + e.getMessage());
    }

    /** Unreadable records met by every read session of this JVM (a counter for metrics and tests). */
    static long unreadableRecords() {
        return UNREADABLE.get();
    }

    int buffered() {
        return buffer.size();
    }

    /** Ends a blocked poll with a {@code WakeupException}; safe from any thread. */
    void wakeup() {
        Consumer<byte[], byte[]> open = consumer;
        if (open != null) {
            open.wakeup();
        }
    }

    @Override
    public void close() {
        buffer.clear();
        Consumer<byte[], byte[]> open = consumer;
        consumer = null;
        if (open != null) {
            open.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
    }
}
