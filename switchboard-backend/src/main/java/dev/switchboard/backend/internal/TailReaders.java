package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
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
    private volatile boolean closed;

    TailReaders(Function<String, Consumer<byte[], byte[]>> consumers, ReadGate gate, long cacheBytes, Clock clock) {
        this.consumers = consumers;
        this.gate = gate;
        this.cacheBytes = cacheBytes;
        this.clock = clock;
    }

    /** The node's tail readers, with {@code config}'s cache size and Kafka settings. */
    public static TailReaders of(BackendConfig config, ReadGate gate, Clock clock) {
        return new TailReaders(
                topic -> new KafkaConsumer<>(KafkaClients.tail(config, topic)), gate, config.tailCacheBytes(), clock);
    }

    /** Sharing turned off: every reader reads on its own. */
    static TailReaders disabled() {
        return new TailReaders(topic -> null, ReadGate.withoutDeadLetters(RecordCipher.PLAIN), 0, Clock.systemUTC());
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
     * topic), starting one at {@code positions} when the topic has none and {@code mayStart}; null otherwise.
     * A caller that joined must {@link TailReader#leave} once it reads on its own or is gone.
     */
    TailReader join(String topic, Map<TopicPartition, Long> positions, boolean mayStart) {
        if (!enabled() || positions.isEmpty()) {
            return null;
        }
        TailReader reader = readers.get(topic);
        if ((reader == null || reader.stopped()) && mayStart) {
            try {
                reader = readers.compute(
                        topic,
                        (name, current) -> current == null || current.stopped()
                                ? TailReader.start(
                                        name,
                                        consumers.apply(name),
                                        positions,
                                        gate,
                                        cacheBytes,
                                        clock,
                                        () -> forget(name))
                                : current);
            } catch (RuntimeException e) {
                // sharing is an optimisation: the session goes on reading with its own consumer
                LOGGER.warn("tail reader not started topic={} error={}", topic, e.toString());
                return null;
            }
        }
        return reader != null && reader.join(positions) ? reader : null;
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
