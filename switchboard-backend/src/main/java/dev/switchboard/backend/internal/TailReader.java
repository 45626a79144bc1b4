package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.Event;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out: one Kafka consumer tailing every partition of a topic on behalf of all the read sessions positioned
 * near its end, with a bounded cache of the newest records, each opened (decrypted) once and kept as the
 * protocol event every session gets. A session reads from the cache while its position in every partition lies
 * within what the cache covers; one that falls behind (its next record was evicted) goes back to a consumer of
 * its own. Thread-safe.
 *
 * <p>Implementation notes: partition {@code p} covers the positions {@code [from, to]}: {@code from} is where
 * the cache starts (where the reader started, or just after the last evicted record), {@code to} the consumer's
 * position (the next offset it fetches). A session positioned anywhere in that range is served exactly the
 * cached records at or after its position, so offsets skipped by Kafka (transaction markers, compaction) need no
 * special case. Cached events are shared between sessions and must not be changed.
 */
final class TailReader implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TailReader.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /**
     * The longest a member waits for records before it looks at the clock again: deadlines are the injected
     * clock's, so a test that moves it ends the wait without waiting in real time.
     */
    private static final long WAIT_SLICE_MS = 100;

    /** A reader nobody has used for this long stops and gives its consumer back. */
    static final Duration IDLE_STOP = Duration.ofSeconds(30);

    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final ReadGate gate;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<Integer, PartitionCache> partitions = new HashMap<>(); // guarded by lock
    private final Runnable onStop;
    private final Clock clock;
    private int members; // guarded by lock
    private long idleSince; // guarded by lock; the clock's millis when the last member left
    private boolean stopped; // guarded by lock
    private int nextFirstPartition; // guarded by lock; rotates which partition a batch starts with
    private final Thread poller;

    private TailReader(
            String topic,
            Consumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> positions,
            ReadGate gate,
            long cacheBytes,
            Clock clock,
            Runnable onStop) {
        this.topic = topic;
        this.clock = clock;
        this.consumer = consumer;
        this.gate = gate;
        this.onStop = onStop;
        long perPartition = Math.max(1, cacheBytes / Math.max(1, positions.size()));
        positions.forEach(
                (partition, offset) -> partitions.put(partition.partition(), new PartitionCache(offset, perPartition)));
        this.idleSince = clock.millis();
        this.poller = Thread.ofPlatform().daemon().name("sb-tail-" + topic).unstarted(this::pollLoop);
    }

    /**
     * Starts tailing {@code topic} from {@code positions} (every partition of the topic) with {@code consumer},
     * which the reader owns from now on. {@code onStop} runs once the reader has stopped.
     */
    static TailReader start(
            String topic,
            Consumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> positions,
            ReadGate gate,
            long cacheBytes,
            Clock clock,
            Runnable onStop) {
        try {
            consumer.assign(positions.keySet());
            positions.forEach(consumer::seek);
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        TailReader reader = new TailReader(topic, consumer, positions, gate, cacheBytes, clock, onStop);
        reader.poller.start();
        LOGGER.info("tail reader started topic={} partitions={}", topic, positions.size());
        return reader;
    }

    String topic() {
        return topic;
    }

    /** Becomes a member when the cache covers every one of {@code positions}; false otherwise (or when stopped). */
    boolean join(Map<TopicPartition, Long> positions) {
        lock.lock();
        try {
            if (stopped || !covers(positions)) {
                return false;
            }
            members++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A member reads on its own from now on (or is gone). */
    void leave() {
        lock.lock();
        try {
            if (--members == 0) {
                idleSince = clock.millis();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cached events at or after {@code positions} (at most {@code maxEvents}, about {@code maxBytes}, always at
     * least one when any is cached), moving {@code positions} past them; waits until {@code deadlineMillis} (by
     * the node's clock) when
     * none is cached yet, and answers an empty batch then. Empty when the session must read on its own from
     * {@code positions}: it fell behind the cache, or the reader stopped. Throws Kafka's {@code WakeupException}
     * when {@code woken} was set (and clears it), and an INTERNAL {@code SwitchboardException} for a record this
     * node cannot open at the head of the batch (it stays there: every read reports it). Rejected records are
     * skipped: a batch of them alone has no events, only the next offsets after them.
     */
    Optional<FetchedBatch> take(
            Map<TopicPartition, Long> positions, int maxEvents, long maxBytes, long deadlineMillis, AtomicBoolean woken)
            throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (woken.getAndSet(false)) {
                    throw new WakeupException();
                }
                if (stopped || !covers(positions)) {
                    return Optional.empty();
                }
                FetchedBatch batch = takeCached(positions, maxEvents, maxBytes);
                if (!batch.isEmpty() || !batch.nextOffsets().isEmpty()) {
                    return Optional.of(batch);
                }
                long remaining = deadlineMillis - clock.millis();
                if (remaining <= 0) {
                    return Optional.of(FetchedBatch.EMPTY);
                }
                arrived.await(Math.min(remaining, WAIT_SLICE_MS), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the waits of every member so each sees its {@code woken} flag. */
    void wakeWaiters() {
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    int members() {
        lock.lock();
        try {
            return members;
        } finally {
            lock.unlock();
        }
    }

    private boolean covers(Map<TopicPartition, Long> positions) {
        for (Map.Entry<TopicPartition, Long> position : positions.entrySet()) {
            PartitionCache cache = partitions.get(position.getKey().partition());
            if (cache == null || !cache.covers(position.getValue())) {
                return false;
            }
        }
        return true;
    }

    private FetchedBatch takeCached(Map<TopicPartition, Long> positions, int maxEvents, long maxBytes) {
        List<Event> events = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        long bytes = 0;
        List<Map.Entry<TopicPartition, Long>> order = new ArrayList<>(positions.entrySet());
        order.sort((a, b) -> Integer.compare(a.getKey().partition(), b.getKey().partition()));
        int first = Math.floorMod(nextFirstPartition++, Math.max(1, order.size()));
        for (int i = 0; i < order.size() && events.size() < maxEvents; i++) {
            Map.Entry<TopicPartition, Long> position = order.get((first + i) % order.size());
            TopicPartition partition = position.getKey();
            PartitionCache cache = cache(partition.partition());
            for (int index = cache.indexOf(position.getValue());
                    index < cache.size() && events.size() < maxEvents;
                    index++) {
                CachedRecord record = cache.get(index);
                if (!events.isEmpty() && bytes + record.size() > maxBytes) {
                    return new FetchedBatch(events, nextOffsets);
                }
                String unreadable = record.unreadable();
                if (unreadable != null) {
                    if (!events.isEmpty()) {
                        return new FetchedBatch(events, nextOffsets); // the next read reports it
                    }
                    throw ReadGate.unreadable(topic, partition.partition(), record.offset(), unreadable);
                }
                nextOffsets.put(partition.partition(), record.offset() + 1);
                positions.put(partition, record.offset() + 1);
                Event event = record.event();
                if (event != null) { // else rejected: skipped, the positions move past it
                    events.add(event);
                    bytes += record.size();
                }
            }
        }
        return new FetchedBatch(events, nextOffsets);
    }

    private void pollLoop() {
        try {
            while (!retireIfIdle()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                List<CachedRecord> fresh = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    fresh.add(open(record)); // outside the lock: decrypting is the expensive part
                }
                Map<Integer, Long> ends = new HashMap<>();
                for (TopicPartition partition : consumer.assignment()) {
                    ends.put(partition.partition(), consumer.position(partition, Duration.ZERO));
                }
                append(fresh, ends);
            }
        } catch (WakeupException e) {
            // closed
        } catch (RuntimeException e) {
            LOGGER.warn("tail reader stopped topic={} error={}", topic, e.toString());
        } finally {
            lock.lock();
            try {
                stopped = true;
                partitions.values().forEach(PartitionCache::clear);
                arrived.signalAll(); // members go on reading on their own
            } finally {
                lock.unlock();
            }
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            onStop.run();
            LOGGER.info("tail reader stopped topic={}", topic);
        }
    }

    /** Opened once for every member; a rejected record is cached as neither event nor error (skipped). */
    private CachedRecord open(ConsumerRecord<byte[], byte[]> record) {
        long size = EventRecords.sizeOf(record);
        try {
            Event event = gate.admit(record).orElse(null);
            return new CachedRecord(record.partition(), record.offset(), size, event, null);
        } catch (RecordCipher.UnreadableRecordException e) {
            return new CachedRecord(record.partition(), record.offset(), size, null, e.detail());
        }
    }

    private void append(List<CachedRecord> fresh, Map<Integer, Long> ends) {
        lock.lock();
        try {
            for (CachedRecord record : fresh) {
                cache(record.partition()).add(record);
            }
            ends.forEach((partition, end) -> cache(partition).reachedEnd(end));
            if (!fresh.isEmpty()) {
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops when nobody has been a member for {@link #IDLE_STOP}; from then on joins fail. */
    private boolean retireIfIdle() {
        lock.lock();
        try {
            if (members == 0 && clock.millis() - idleSince > IDLE_STOP.toMillis()) {
                stopped = true;
            }
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        consumer.wakeup();
        try {
            poller.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A consumed record as readers get it: its event, why this node cannot read it, or neither (rejected). */
    /** The cache of {@code partition}: the reader made one for each partition of the topic. Lock held. */
    private PartitionCache cache(int partition) {
        PartitionCache cache = partitions.get(partition);
        if (cache == null) {
            throw new IllegalStateException("tail reader of " + topic + " has no cache for partition " + partition);
        }
        return cache;
    }

    /**
     * A record as every member gets it: its event, or why it cannot be opened ({@code unreadable}), or neither
     * (rejected: skipped).
     */
    private record CachedRecord(
            int partition,
            long offset,
            long size,
            @Nullable Event event,
            @Nullable String unreadable) {}

    /**
     * The cached records of one partition, oldest first, at most {@code maxBytes} of them (but always the newest
     * one), and the positions they cover.
     */
    private static final class PartitionCache {
        private final ArrayList<CachedRecord> records = new ArrayList<>();
        private final long maxBytes;
        private int head; // records before head are evicted
        private long bytes;
        private long from;
        private long to;

        PartitionCache(long start, long maxBytes) {
            this.from = start;
            this.to = start;
            this.maxBytes = maxBytes;
        }

        boolean covers(long position) {
            return position >= from && position <= to;
        }

        void add(CachedRecord record) {
            if (record.offset() < to) {
                return; // already covered: only a consumer reset to an earlier offset sends it again
            }
            records.add(record);
            bytes += record.size();
            to = Math.max(to, record.offset() + 1);
            while (bytes > maxBytes && size() > 1) {
                CachedRecord evicted = records.get(head);
                records.set(head++, null);
                bytes -= evicted.size();
                from = evicted.offset() + 1;
            }
            if (head > 1024 && head > records.size() / 2) {
                records.subList(0, head).clear();
                head = 0;
            }
        }

        void clear() {
            records.clear();
            head = 0;
            bytes = 0;
        }

        void reachedEnd(long position) {
            to = Math.max(to, position);
        }

        int size() {
            return records.size() - head;
        }

        CachedRecord get(int index) {
            return records.get(head + index);
        }

        /** Index of the first cached record at or after {@code position}. */
        int indexOf(long position) {
            int low = 0;
            int high = size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (get(middle).offset() < position) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }
}
