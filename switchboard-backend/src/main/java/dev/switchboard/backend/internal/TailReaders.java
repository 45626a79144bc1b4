package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link TailReader}s, at most one per topic: started when a read session has caught up with a
 * topic nobody tails yet, stopped by themselves once unused for {@link TailReader#IDLE_STOP}. With a cache size
 * of 0 there are none and every reader reads Kafka on its own. Thread-safe.
 */
public final class TailReaders implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(TailReaders.class);

    private final ConcurrentMap<String, TailReader> readers = new ConcurrentHashMap<>();
    private final Function<String, Consumer<byte[], byte[]>> consumers;
    private final ReadGate gate;
    private final long cacheBytes;
    private final Clock clock;
    private final ReadBuffers budget;
    private volatile boolean closed;

    TailReaders(
            Function<String, Consumer<byte[], byte[]>> consumers,
            ReadGate gate,
            long cacheBytes,
            Clock clock,
            ReadBuffers budget) {
        this.consumers = consumers;
        this.gate = gate;
        this.cacheBytes = cacheBytes;
        this.clock = clock;
        this.budget = budget;
    }

    /**
     * The node's tail readers, with {@code config}'s cache size and Kafka settings; each reserves its whole cache
     * in {@code budget} while it runs (when there is no room, its readers read on their own).
     */
    public static TailReaders of(BackendConfig config, ReadGate gate, Clock clock, ReadBuffers budget) {
        return new TailReaders(
                topic -> new KafkaConsumer<>(KafkaClients.tail(config, topic)),
                gate,
                config.tailCacheBytes(),
                clock,
                budget);
    }

    /** Sharing turned off: every reader reads on its own. */
    static TailReaders disabled() {
        return new TailReaders(
                topic -> null,
                ReadGate.withoutDeadLetters(RecordCipher.PLAIN),
                0,
                Clock.systemUTC(),
                ReadBuffers.unbounded());
    }

    /** What decides which records readers get (shared with the readers that read on their own). */
    ReadGate gate() {
        return gate;
    }

    boolean enabled() {
        return cacheBytes > 0 && !closed;
    }

    /**
     * Joins the topic's tail reader when its cache covers every one of {@code positions} (all partitions of the
     * topic), starting one at {@code positions} when the topic has none and {@code mayStart}; empty otherwise.
     * A caller that joined must {@link TailReader#leave} once it reads on its own or is gone.
     */
    Optional<TailReader> join(String topic, Map<TopicPartition, Long> positions, boolean mayStart) {
        if (!enabled() || positions.isEmpty()) {
            return Optional.empty();
        }
        TailReader reader = readers.get(topic);
        if ((reader == null || reader.stopped()) && mayStart) {
            try {
                reader = readers.compute(
                        topic,
                        (name, current) -> current == null || current.stopped() ? start(name, positions) : current);
            } catch (RuntimeException e) {
                // sharing is an optimisation: the session goes on reading with its own consumer
                LOGGER.warn("tail reader not started topic={} error={}", topic, e.toString());
                return Optional.empty();
            }
        }
        return reader != null && reader.join(positions) ? Optional.of(reader) : Optional.empty();
    }

    /**
     * A new tail reader, its cache reserved in the node's read budget; null when the budget has no room (then
     * {@code readers.compute} keeps no entry for the topic).
     */
    private @Nullable TailReader start(String topic, Map<TopicPartition, Long> positions) {
        if (!budget.tryReserve(cacheBytes)) {
            budget.countTailRefused();
            LOGGER.debug("tail reader not started, read buffers full topic={}", topic);
            return null;
        }
        try {
            return TailReader.start(topic, consumers.apply(topic), positions, gate, cacheBytes, clock, () -> {
                budget.release(cacheBytes);
                forget(topic);
            });
        } catch (RuntimeException e) {
            budget.release(cacheBytes);
            throw e;
        }
    }

    /** Drops a stopped reader (and its cache); a running one started since stays. */
    private void forget(String topic) {
        readers.computeIfPresent(topic, (name, reader) -> reader.stopped() ? null : reader);
    }

    /** Topics tailed right now (for tests and logs). */
    int active() {
        return (int)
                readers.values().stream().filter(reader -> !reader.stopped()).count();
    }

    @Override
    public void close() {
        closed = true;
        readers.values().forEach(TailReader::close);
        readers.clear();
    }
}
