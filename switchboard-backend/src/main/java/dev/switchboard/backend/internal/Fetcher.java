package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.Event;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read session's view of Kafka. It reads in one of three ways: with a consumer of its own assigned to every
 * partition of the topic (no group, nothing committed) and a bounded read-ahead buffer; from the topic's shared
 * {@link TailReader} while it is near the end of the topic (fan-out: many tailing sessions, one consumer); or not
 * at all while parked. Not thread-safe: only the session's serial queue calls it, except {@link #wakeup}.
 *
 * <p>Implementation notes: the buffer holds at most {@code prefetchEvents} records and about {@code prefetchBytes}
 * bytes; the consumer is polled only while a whole poll ({@code max.poll.records}, half the prefetch events, and
 * {@code fetch.max.bytes}, half the prefetch bytes and at most 1 MiB) still fits in the session's buffer and a poll's worth can be
 * reserved in the node's {@link ReadBuffers} (the reservation becomes what the poll returned), which is charged
 * with every buffered record and released as records are handed out or
 * dropped, and holds one fetch for the open consumer itself (it fetches ahead of the next poll) from its first
 * poll until it is closed. A read that finds nothing buffered and no room in the node's budget is answered BUSY. Whenever the buffer is empty the
 * fetcher offers its positions to the topic's tail reader (starting one when it has caught up with the end of a
 * topic nobody tails yet) and, once taken in, closes its consumer; if it falls behind the tail reader's cache it
 * opens a consumer again at its positions. An idle session {@link #park}s: the consumer (about 170 KiB of heap
 * and a few sockets) is closed, or the tail reader left, and the read-ahead dropped, keeping only the position of
 * the next record per partition. The three ways are the modes of {@link FetcherMode}, one volatile field moved by
 * its pure transition function; this class does the I/O around it.
 */
final class Fetcher implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Fetcher.class);
    /** The longest one poll of its own consumer waits before the fetcher looks at the clock again. */
    private static final long POLL_SLICE_MS = 100;

    private final String topic;
    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final TailReaders tails;
    /** Written only by the session's queue; read by {@link #wakeup} from any thread. */
    private volatile FetcherMode.Mode mode;

    private final AtomicBoolean woken = new AtomicBoolean();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    private final int prefetchEvents;
    private final int maxPollRecords;
    private final long prefetchBytes;
    private final long pollBytes;
    private final ReadBuffers.Account budget;
    private long bufferedBytes; // of the records in buffer, as charged to the budget
    // One fetch the open consumer may hold on its own (it fetches ahead of poll), reserved in the budget from its
    // first poll until it closes.
    private boolean consumerReserved;
    private final ReadGate gate;
    /** Deadlines of long polls are this clock's, so tests that move it need not wait. */
    private final Clock clock;
    // Offsets after rejected records not yet covered by a delivered batch; the next batch's cursor takes them,
    // so a session that acknowledges it never meets those records again.
    private final Map<Integer, Long> skipped = new HashMap<>();

    /**
     * @param consumers opens a new consumer after {@link #park} or after leaving the tail reader (same settings
     *     as {@code consumer})
     * @param tails the node's shared tail readers
     */
    Fetcher(
            String topic,
            Consumer<byte[], byte[]> consumer,
            Supplier<Consumer<byte[], byte[]>> consumers,
            TailReaders tails,
            int prefetchEvents,
            int prefetchBytes,
            ReadBuffers.Account budget,
            ReadGate gate,
            Clock clock) {
        this.topic = topic;
        this.clock = clock;
        this.mode = new FetcherMode.Own(consumer);
        this.consumers = consumers;
        this.tails = tails;
        this.gate = gate;
        this.prefetchEvents = prefetchEvents;
        this.maxPollRecords = maxPollRecords(prefetchEvents);
        this.prefetchBytes = prefetchBytes;
        this.pollBytes = fetchMaxBytes(prefetchBytes);
        this.budget = budget;
    }

    /**
     * Releases the consumer (or leaves the tail reader) and the read-ahead of an idle session, remembering where
     * each partition goes on. Does nothing when already parked, or when the positions cannot be had without
     * Kafka (then it stays as it is).
     */
    void park() {
        switch (mode) {
            case FetcherMode.Tailing tailing -> step(new FetcherMode.Park(tailing.positions())); // already its own
            case FetcherMode.Own own -> {
                Optional<Map<TopicPartition, Long>> known = ownPositions(own.consumer());
                if (known.isEmpty()) {
                    LOGGER.debug("not parking: consumer position unknown");
                    return;
                }
                Map<TopicPartition, Long> next = known.get();
                for (ConsumerRecord<byte[], byte[]> record : buffer) {
                    next.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
                }
                clearBuffer();
                step(new FetcherMode.Park(next));
            }
            case FetcherMode.Parked parked -> {}
            case FetcherMode.Closed closed -> {}
        }
    }

    /** Moves the mode one step and runs what it releases; a consumer it closes gets {@code closeTimeout}. */
    private void step(FetcherMode.Event event, Duration closeTimeout) {
        FetcherMode.Step step = FetcherMode.apply(mode, event);
        mode = step.mode();
        for (FetcherMode.Effect effect : step.effects()) {
            switch (effect) {
                case FetcherMode.CloseConsumer close -> closeConsumer(close.consumer(), closeTimeout);
                case FetcherMode.LeaveTail leave -> leave.reader().leave();
            }
        }
    }

    private void step(FetcherMode.Event event) {
        step(event, Duration.ZERO);
    }

    /** The consumer's next offset per partition (a map of its own); empty when one is not known without Kafka. */
    private static Optional<Map<TopicPartition, Long>> ownPositions(Consumer<byte[], byte[]> open) {
        Map<TopicPartition, Long> next = new HashMap<>();
        try {
            for (TopicPartition partition : open.assignment()) {
                next.put(partition, open.position(partition, Duration.ZERO));
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(next);
    }

    /** A consumer of its own, opened at {@code positions} when there is none. */
    private Consumer<byte[], byte[]> consumer() {
        return switch (mode) {
            case FetcherMode.Own own -> own.consumer();
            case FetcherMode.Parked parked -> {
                Consumer<byte[], byte[]> open = consumers.get();
                open.assign(parked.positions().keySet());
                parked.positions().forEach(open::seek);
                step(new FetcherMode.Opened(open));
                if (woken.getAndSet(false)) {
                    open.wakeup(); // a wakeup meant for the tail reader's wait
                }
                yield open;
            }
            case FetcherMode.Tailing tailing -> throw new IllegalStateException("reading from the tail reader");
            case FetcherMode.Closed closed -> throw new IllegalStateException("the fetcher is closed");
        };
    }

    /** The {@code max.poll.records} that keeps the buffer within {@code prefetchEvents}. */
    static int maxPollRecords(int prefetchEvents) {
        return Math.max(1, prefetchEvents / 2);
    }

    /**
     * The consumer's {@code fetch.max.bytes}: half of {@code prefetchBytes}, at most 1 MiB (Kafka's own
     * per-partition default), so that a session polling its own consumer holds little of the node's read budget.
     */
    static int fetchMaxBytes(int prefetchBytes) {
        return Math.max(1, Math.min(prefetchBytes / 2, 1 << 20));
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
     * Rejected records are skipped (see {@link ReadGate}); the batch's next offsets cover them. Throws Kafka's
     * {@code WakeupException} when {@link #wakeup} interrupted the wait.
     */
    FetchedBatch fetch(int maxEvents, long maxBytes, Duration wait) {
        long deadline = clock.millis() + wait.toMillis();
        while (true) {
            FetchedBatch batch = fetchUntil(maxEvents, maxBytes, deadline);
            if (!batch.isEmpty()) {
                return withSkipped(batch);
            }
            batch.nextOffsets().forEach((partition, next) -> skipped.merge(partition, next, Math::max));
            if (batch.nextOffsets().isEmpty() || deadline - clock.millis() <= 0) {
                return FetchedBatch.EMPTY; // nothing, or only rejected records, before the deadline
            }
        }
    }

    /** {@code batch} with its next offsets moved past the records skipped since the last delivered batch. */
    private FetchedBatch withSkipped(FetchedBatch batch) {
        if (skipped.isEmpty()) {
            return batch;
        }
        Map<Integer, Long> next = new HashMap<>(skipped);
        batch.nextOffsets().forEach((partition, offset) -> next.merge(partition, offset, Math::max));
        skipped.clear();
        return new FetchedBatch(batch.events(), next);
    }

    /** One attempt: events, or only the offsets after rejected records (no events), or empty by the deadline. */
    private FetchedBatch fetchUntil(int maxEvents, long maxBytes, long deadline) {
        if (mode instanceof FetcherMode.Parked parked) {
            // else: a consumer of its own, below
            tails.join(topic, parked.positions(), false)
                    .ifPresent(joined -> step(new FetcherMode.Joined(joined, parked.positions())));
        }
        while (true) {
            if (mode instanceof FetcherMode.Tailing tailing) {
                Optional<FetchedBatch> batch = fromTail(tailing, maxEvents, maxBytes, deadline);
                if (batch.isPresent()) {
                    return batch.get();
                }
                step(new FetcherMode.Left()); // fell behind the cache, or the reader stopped: on its own from here
            }
            topUp(Duration.ZERO);
            if (buffer.isEmpty() && joinTail()) {
                continue;
            }
            while (buffer.isEmpty()) {
                long remaining = deadline - clock.millis();
                if (remaining <= 0) {
                    return FetchedBatch.EMPTY;
                }
                topUp(Duration.ofMillis(Math.min(remaining, POLL_SLICE_MS))); // then look at the clock again
            }
            FetchedBatch batch = take(maxEvents, maxBytes);
            if (buffer.isEmpty()) {
                joinTail(); // caught up: the next read may come from the shared cache
            }
            return batch;
        }
    }

    private Optional<FetchedBatch> fromTail(FetcherMode.Tailing tailing, int maxEvents, long maxBytes, long deadline) {
        try {
            return tailing.reader().take(tailing.positions(), maxEvents, maxBytes, deadline, woken);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /**
     * With nothing buffered, moves from its own consumer to the topic's tail reader when that covers its
     * positions, or starts one when it has caught up with the end of the topic (nothing left to fetch).
     */
    private boolean joinTail() {
        if (!tails.enabled() || !(mode instanceof FetcherMode.Own own)) {
            return false;
        }
        Consumer<byte[], byte[]> open = own.consumer();
        Optional<Map<TopicPartition, Long>> next = ownPositions(open);
        if (next.isEmpty()) {
            return false;
        }
        Optional<TailReader> joined = tails.join(topic, next.get(), caughtUp(open));
        if (joined.isEmpty()) {
            return false;
        }
        step(new FetcherMode.Joined(joined.get(), next.get()));
        LOGGER.debug("reading from the shared tail reader topic={}", topic);
        return true;
    }

    /** Every partition's lag, as of the consumer's last fetch, is known and zero. */
    private static boolean caughtUp(Consumer<byte[], byte[]> open) {
        for (TopicPartition partition : open.assignment()) {
            OptionalLong lag = open.currentLag(partition);
            if (lag.isEmpty() || lag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void topUp(Duration timeout) {
        if (buffer.size() + maxPollRecords > prefetchEvents || bufferedBytes + pollBytes > prefetchBytes) {
            return; // the session's own read-ahead is full
        }
        if (!consumerReserved) {
            consumerReserved = budget.tryReserve(pollBytes);
        }
        if (!consumerReserved || !budget.tryReserve(pollBytes)) {
            if (buffer.isEmpty()) {
                throw budget.full(); // nothing to hand out, no room to fetch: BUSY, retry shortly
            }
            return;
        }
        long polled = 0;
        try {
            for (ConsumerRecord<byte[], byte[]> record : consumer().poll(timeout)) {
                buffer.add(record);
                polled += EventRecords.sizeOf(record);
            }
        } catch (WakeupException e) {
            woken.set(false); // this wakeup is spent
            throw e;
        } finally {
            // the poll's reservation becomes what it returned
            bufferedBytes += polled;
            budget.charge(polled);
            budget.release(pollBytes);
        }
    }

    private void closeConsumer(Consumer<byte[], byte[]> open, Duration timeout) {
        open.close(CloseOptions.timeout(timeout));
        if (consumerReserved) {
            consumerReserved = false;
            budget.release(pollBytes);
        }
    }

    private void clearBuffer() {
        buffer.clear();
        budget.release(bufferedBytes);
        bufferedBytes = 0;
    }

    private FetchedBatch take(int maxEvents, long maxBytes) {
        List<Event> events = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        long bytes = 0;
        while (!buffer.isEmpty() && events.size() < maxEvents) {
            ConsumerRecord<byte[], byte[]> record = buffer.peekFirst();
            long size = EventRecords.sizeOf(record);
            if (!events.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            Optional<Event> event;
            try {
                event = gate.admit(record);
            } catch (RecordCipher.UnreadableRecordException e) {
                if (!events.isEmpty()) {
                    break; // deliver what precedes it; the next read reports the unreadable record
                }
                throw ReadGate.unreadable(record.topic(), record.partition(), record.offset(), e.detail());
            }
            buffer.removeFirst();
            bufferedBytes -= size;
            budget.release(size);
            nextOffsets.put(record.partition(), record.offset() + 1);
            if (event.isPresent()) {
                events.add(event.get());
                bytes += size;
            }
        }
        return new FetchedBatch(events, nextOffsets);
    }

    int buffered() {
        return buffer.size();
    }

    long bufferedBytes() {
        return bufferedBytes;
    }

    /** Ends a blocked poll or tail wait with a {@code WakeupException}; safe from any thread. */
    void wakeup() {
        woken.set(true);
        switch (mode) {
            case FetcherMode.Tailing tailing -> tailing.reader().wakeWaiters();
            case FetcherMode.Own own -> own.consumer().wakeup();
            case FetcherMode.Parked parked -> {}
            case FetcherMode.Closed closed -> {}
        }
    }

    @Override
    public void close() {
        clearBuffer();
        step(new FetcherMode.Close(), Duration.ofSeconds(1));
    }
}
