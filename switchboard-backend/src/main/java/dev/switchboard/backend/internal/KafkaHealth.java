package dev.switchboard.backend.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the node reaches its Kafka cluster: asks for the cluster's brokers every {@link #INTERVAL} (each ask
 * bounded by its own timeout) and remembers the answer; a change is logged (WARN when Kafka is lost). The node
 * reports it in its presence beats and its readiness. Thread-safe.
 */
public final class KafkaHealth implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaHealth.class);
    static final Duration INTERVAL = Duration.ofSeconds(2);

    private final IntSupplier brokers;
    private final String node;
    private final ScheduledExecutorService timer;
    private volatile boolean reachable;

    /**
     * Checks once now, then every {@link #INTERVAL}.
     *
     * @param brokers answers the number of brokers, or throws when Kafka does not answer in time
     */
    public KafkaHealth(IntSupplier brokers, String node) {
        this.brokers = brokers;
        this.node = node;
        this.reachable = probe();
        if (!reachable) {
            LOGGER.warn("Kafka unreachable node={}", node);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("sb-kafka-health").factory());
        timer.scheduleWithFixedDelay(this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean reachable() {
        return reachable;
    }

    private void check() {
        boolean now = probe();
        if (now != reachable) {
            reachable = now;
            if (now) {
                LOGGER.info("Kafka reachable again node={}", node);
            } else {
                LOGGER.warn("Kafka unreachable node={}: not ready, taking no new sessions", node);
            }
        }
    }

    private boolean probe() {
        try {
            return brokers.getAsInt() > 0;
        } catch (RuntimeException e) {
            LOGGER.debug("Kafka probe failed node={} error={}", node, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
