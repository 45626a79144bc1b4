package dev.switchboard.bench;

import dev.switchboard.client.Batch;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * Tail mode (fan-out) through the SDK: one publisher hands stamped events over at the settings' rate, in chunks of
 * a {@value BenchSettings#TAIL_CHUNKS_PER_SECOND}th of a second, to a fresh topic while some subscribers, each
 * allocated at the end of the topic (and served one empty poll) beforehand, read every event with poll + ack.
 *
 * <p>The measured window runs from the first hand-over until every subscriber has every event, so allocating and
 * closing the sessions is outside it; the process CPU time and the in-process broker's Fetch count are taken at
 * its ends, and so is the JIT compiler threads' share of that CPU (large while the JVM is still warming up). A
 * subscriber counts each (partition, offset) once, so a redelivery cannot hide a lost event.
 */
final class TailLoad implements AutoCloseable {
    /** Once the writer is done, subscribers still short of events give up when no subscriber got any this long. */
    static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final long SETUP_NANOS = TimeUnit.MINUTES.toNanos(2);
    private static final Duration POLL_WAIT = Duration.ofSeconds(1);

    private final SwitchboardClient client;
    private final SwitchboardLoad writer;
    private final BenchSettings settings;
    private final boolean brokerInProcess;

    /**
     * @param client Switchboard, closed with this load
     * @param brokerInProcess the Kafka broker runs in this JVM, so its Fetch count can be read
     */
    TailLoad(SwitchboardClient client, BenchSettings settings, boolean brokerInProcess) {
        this.client = client;
        this.writer = new SwitchboardLoad(client, settings);
        this.settings = settings;
        this.brokerInProcess = brokerInProcess;
    }

    /** Writes {@code events} events to the fresh {@code topic} while {@code subscribers} subscribers tail it. */
    TailPhaseResult tail(String phase, String topic, int subscribers, long events, Progress progress) throws Exception {
        writer.prepareTopic(topic);
        Window window = new Window(subscribers, progress);
        Histogram latency = Latencies.histogram();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> readers = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                readers.add(executor.submit(() -> follow(topic, events, window, latency, progress)));
            }
            try {
                await(window.ready, readers, () -> System.nanoTime() - window.created > SETUP_NANOS, "allocating");
                Snapshot start = snapshot();
                writer.publish(
                        topic,
                        events,
                        settings.tailChunkEvents(),
                        settings.tailPacer(),
                        Latencies.histogram(), // commit latency: not what tail mode is about
                        Progress.silent(),
                        true);
                window.writerDone = true;
                await(window.finished, readers, () -> progress.stalledNanos() > Sessions.STALL_NANOS, "reading");
                Snapshot end = snapshot();
                window.release.countDown();
                long delivered = 0;
                long missing = 0;
                int subscribersShort = 0;
                for (Future<Long> reader : readers) {
                    long received = reader.get();
                    delivered += received;
                    if (received < events) {
                        missing += events - received;
                        subscribersShort++;
                    }
                }
                PhaseResult delivery = new PhaseResult(
                        "switchboard",
                        phase,
                        delivered,
                        delivered * settings.size(),
                        end.nanos - start.nanos,
                        latency,
                        end.cpuNanos - start.cpuNanos);
                OptionalLong fetches =
                        brokerInProcess ? OptionalLong.of(end.fetches - start.fetches) : OptionalLong.empty();
                return new TailPhaseResult(
                        delivery,
                        subscribers,
                        events,
                        missing,
                        subscribersShort,
                        start.jit.isPresent() && end.jit.isPresent()
                                ? OptionalLong.of(JitCpu.between(start.jit.get(), end.jit.get()))
                                : OptionalLong.empty(),
                        fetches);
            } catch (Exception e) {
                readers.forEach(reader -> reader.cancel(true));
                throw e;
            }
        }
    }

    /** One subscriber: the distinct events it received. */
    private long follow(String topic, long events, Window window, Histogram latency, Progress progress)
            throws InterruptedException {
        SubscriberOptions options = SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.latest())
                .maxEvents(settings.batch())
                .build();
        try (Subscriber subscriber = client.subscriber(options)) {
            Received received = new Received();
            // allocated at the end of the (empty) topic and served once: tailing before the window opens
            receive(subscriber, subscriber.poll(settings.batch(), Duration.ZERO), received, latency, progress);
            window.ready.countDown();
            while (received.count < events && !window.drainOver()) {
                receive(subscriber, subscriber.poll(settings.batch(), POLL_WAIT), received, latency, progress);
            }
            window.finished.countDown();
            window.release.await(); // closing the session is not part of the window
            return received.count;
        }
    }

    private static void receive(
            Subscriber subscriber, Batch batch, Received received, Histogram latency, Progress progress) {
        if (batch.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        int fresh = 0;
        for (ReceivedEvent event : batch.events()) {
            if (received.isNew(event)) {
                latency.recordValue(Math.max(1, (now - Payloads.stampOf(event.payload())) / 1000));
                fresh++;
            }
        }
        subscriber.ack(batch);
        progress.add(fresh);
    }

    /**
     * Waits for {@code latch}; the first failed subscriber's exception is rethrown, and {@code givenUp} ends the
     * wait with an error.
     */
    private static void await(CountDownLatch latch, List<Future<Long>> readers, BooleanSupplier givenUp, String what)
            throws Exception {
        while (!latch.await(1, TimeUnit.SECONDS)) {
            for (Future<Long> reader : readers) {
                if (reader.state() == Future.State.FAILED) {
                    Throwable cause = reader.exceptionNow();
                    throw cause instanceof Exception exception ? exception : new ExecutionException(cause);
                }
            }
            if (givenUp.getAsBoolean()) {
                throw new IllegalStateException("tail: subscribers stuck " + what + " ("
                        + (readers.size() - latch.getCount()) + " of " + readers.size() + " done); stopped");
            }
        }
    }

    private Snapshot snapshot() {
        return new Snapshot(
                System.nanoTime(),
                Bench.processCpuNanos(),
                JitCpu.snapshot(),
                brokerInProcess ? BrokerFetches.count() : 0);
    }

    @Override
    public void close() {
        writer.close();
    }

    private record Snapshot(long nanos, long cpuNanos, Optional<Map<String, Long>> jit, long fetches) {}

    /** Where a phase stands: subscribers ready, writer done, subscribers finished, then released to close. */
    private static final class Window {
        final CountDownLatch ready;
        final CountDownLatch finished;
        final CountDownLatch release = new CountDownLatch(1);
        final long created = System.nanoTime();
        final Progress progress;
        volatile boolean writerDone;

        Window(int subscribers, Progress progress) {
            this.ready = new CountDownLatch(subscribers);
            this.finished = new CountDownLatch(subscribers);
            this.progress = progress;
        }

        /** The writer is done and no subscriber received anything for {@link #DRAIN_NANOS}: the rest is lost. */
        boolean drainOver() {
            return writerDone && progress.stalledNanos() > DRAIN_NANOS;
        }
    }

    /** One subscriber's distinct events: per partition, offsets at or below the highest seen are redeliveries. */
    private static final class Received {
        private final Map<Integer, Long> highest = new HashMap<>();
        long count;

        boolean isNew(ReceivedEvent event) {
            Long seen = highest.get(event.partition());
            if (seen != null && event.offset() <= seen) {
                return false;
            }
            highest.put(event.partition(), event.offset());
            count++;
            return true;
        }
    }
}
