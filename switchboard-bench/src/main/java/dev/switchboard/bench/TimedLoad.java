package dev.switchboard.bench;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scaling bench's workload: sessions that run for a fixed time rather than a fixed number of events, so every
 * configuration takes as long as the next. Session {@code i} works on its own topic through API node {@code i mod
 * n} (one client per API node, as a load balancer would spread them; the SDK itself only fails over between the
 * URLs it is given). The rate is what was done inside the window: events committed (write), delivered and acked
 * (read, roundtrip), counted when the window closes; what finishes after it is not counted.
 */
final class TimedLoad {
    /**
     * Chunks a writer keeps in flight. Fewer than the throughput bench's: a capped node is saturated by a few, and
     * more only fill its heap (at 0.08 cores, a young collection of a full 512 MiB heap took 1.6 s and the node
     * missed presence beats).
     */
    static final int CHUNKS_IN_FLIGHT = 4;

    private static final Duration POLL_WAIT = Duration.ofSeconds(1);
    private static final long STOP_GRACE_SECONDS = 120;

    private final List<SwitchboardClient> clients;
    private final ScalingSettings settings;
    private final Payloads payloads;

    TimedLoad(List<SwitchboardClient> clients, ScalingSettings settings) {
        this.clients = List.copyOf(clients);
        this.settings = settings;
        this.payloads = new Payloads(settings.size());
    }

    private SwitchboardClient client(int session) {
        return clients.get(session % clients.size());
    }

    /** Creates the topics (a writer's allocation does); read mode fills each with its events, untimed. */
    void prepare(List<String> topics) throws Exception {
        runAll(topics.size(), session -> {
            String topic = topics.get(session);
            if (settings.mode() == BenchMode.READ) {
                publish(session, topic, settings.readEvents(), new AtomicBoolean(), new LongAdder());
            } else {
                client(session)
                        .publisher(PublisherOptions.builder().topic(topic).build())
                        .close();
            }
        });
    }

    /**
     * Runs the workload on {@code topics} for {@code warmup} and then {@code window}, on the same sessions (so the
     * window measures steady work, not opening sessions), and returns the events done inside the window; {@code
     * atWindowStart} and {@code atWindowEnd} run at its edges (to read CPU and counters).
     */
    long run(List<String> topics, Duration warmup, Duration window, Runnable atWindowStart, Runnable atWindowEnd)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < topics.size(); i++) {
                int session = i;
                String topic = topics.get(i);
                switch (settings.mode()) {
                    case WRITE -> futures.add(executor.submit(() -> publish(session, topic, 0, stop, done)));
                    case READ -> futures.add(executor.submit(() -> readAgainAndAgain(session, topic, stop, done)));
                    case ROUNDTRIP -> {
                        futures.add(executor.submit(() -> publish(session, topic, 0, stop, new LongAdder())));
                        futures.add(executor.submit(() -> tail(session, topic, stop, done)));
                    }
                    case TAIL -> throw new IllegalStateException("tail mode has no scaling bench");
                }
            }
            try {
                waitFor(warmup, futures);
                long before = done.sum();
                atWindowStart.run();
                waitFor(window, futures);
                long counted = done.sum() - before;
                atWindowEnd.run();
                stop.set(true);
                for (Future<?> future : futures) {
                    await(future);
                }
                return counted;
            } finally {
                stop.set(true); // on a failure too: the executor waits for every session when it closes
            }
        }
    }

    private static void waitFor(Duration length, List<Future<?>> futures) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            failFast(futures);
            Thread.sleep(Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Publishes until {@code stop} (events 0) or {@code events} events, with chunks in flight as the bench does. */
    private Void publish(int session, String topic, long events, AtomicBoolean stop, LongAdder committed)
            throws Exception {
        PublisherOptions options = PublisherOptions.builder()
                .topic(topic)
                .chunkEvents(settings.batch())
                .build();
        Semaphore inFlight = new Semaphore(CHUNKS_IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Publisher publisher = client(session).publisher(options)) {
            long sent = 0;
            while (!stop.get() && (events == 0 || sent < events) && failure.get() == null) {
                int size = (int) (events == 0 ? settings.batch() : Math.min(settings.batch(), events - sent));
                List<Event> chunk = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    chunk.add(Event.of(payloads.get(sent + i)));
                }
                inFlight.acquire();
                publisher.publishAsync(chunk).whenComplete((ignored, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        committed.add(size);
                    }
                    inFlight.release();
                });
                sent += size;
            }
            inFlight.acquire(CHUNKS_IN_FLIGHT);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "publishing failed: " + failure.get().getMessage(), failure.get());
        }
        return null;
    }

    /** Reads the prefilled topic from the beginning, and again with a new session whenever it reaches the end. */
    private Void readAgainAndAgain(int session, String topic, AtomicBoolean stop, LongAdder delivered) {
        while (!stop.get()) {
            consume(session, topic, settings.readEvents(), stop, delivered);
        }
        return null;
    }

    /** Reads what the session's writer writes until {@code stop}. */
    private Void tail(int session, String topic, AtomicBoolean stop, LongAdder delivered) {
        consume(session, topic, Long.MAX_VALUE, stop, delivered);
        return null;
    }

    private void consume(int session, String topic, long events, AtomicBoolean stop, LongAdder delivered) {
        SubscriberOptions options = SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .maxEvents(settings.batch())
                .build();
        try (Subscriber subscriber = client(session).subscriber(options)) {
            long received = 0;
            while (!stop.get() && received < events) {
                Batch batch = subscriber.poll((int) Math.min(settings.batch(), events - received), POLL_WAIT);
                if (!batch.isEmpty()) {
                    subscriber.ack(batch);
                    received += batch.size();
                    delivered.add(batch.size());
                }
            }
        }
    }

    interface Task {
        void run(int session) throws Exception;
    }

    private static void runAll(int sessions, Task task) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                int session = i;
                futures.add(executor.submit(() -> {
                    task.run(session);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                await(future);
            }
        }
    }

    private static void failFast(List<Future<?>> futures) throws Exception {
        for (Future<?> future : futures) {
            if (future.isDone()) {
                await(future); // a session ended inside the window: only a failure does that
                throw new IllegalStateException("a session ended before the window closed");
            }
        }
    }

    private static void await(Future<?> future) throws Exception {
        try {
            future.get(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException("a session did not stop within " + STOP_GRACE_SECONDS + " s", e);
        }
    }
}
