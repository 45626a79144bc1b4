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
import java.util.function.LongConsumer;

/**
 * The scaling bench's workload: sessions that run until stopped rather than for a fixed number of events, so every
 * configuration takes as long as the next. Each session works on a topic of its own, through one client over every
 * API node (the SDK starts each session at its next URL, as a load balancer would spread them). A closed loop: each
 * writer keeps {@value #CHUNKS_IN_FLIGHT} chunks in flight, each reader one poll, so the load offered grows with the
 * sessions and never outruns the nodes. The rate is what was done inside a window: events committed (write),
 * delivered and acked (read, roundtrip).
 */
final class TimedLoad {
    /**
     * Chunks a writer keeps in flight. Far fewer than the throughput bench's: a capped node is saturated by a few
     * requests at once, and more only lengthen its queue (at 0.08 cores, 32 writers with 4 chunks each on one node
     * queued requests for seconds, and the API node read presence beats so late that it took live nodes for gone).
     */
    static final int CHUNKS_IN_FLIGHT = 2;

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
                publish(session, topic, settings.readEvents(), new AtomicBoolean(), events -> {});
            } else {
                client(session)
                        .publisher(PublisherOptions.builder().topic(topic).build())
                        .close();
            }
        });
    }

    /**
     * Starts the workload on {@code topics}: every session works until {@link Running#close}, on the same sessions
     * throughout (so a window measures steady work, not opening sessions). The caller reads the counters at the
     * edges of its phases.
     */
    Running start(List<String> topics) {
        return new Running(topics);
    }

    /** A running workload: what it has done so far, and its sessions, stopped on close. */
    final class Running implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Completions done = new Completions();
        private final LongAdder opened = new LongAdder();
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final List<Future<?>> futures = new ArrayList<>();

        private Running(List<String> topics) {
            for (int i = 0; i < topics.size(); i++) {
                int session = i;
                String topic = topics.get(i);
                switch (settings.mode()) {
                    case WRITE -> futures.add(executor.submit(() -> publish(session, topic, 0, stop, done)));
                    case READ ->
                        futures.add(executor.submit(() -> readAgainAndAgain(session, topic, stop, done, opened)));
                    case ROUNDTRIP -> {
                        futures.add(executor.submit(() -> publish(session, topic, 0, stop, events -> {})));
                        futures.add(executor.submit(() -> tail(session, topic, stop, done)));
                    }
                    case TAIL -> throw new IllegalStateException("tail mode has no scaling bench");
                }
            }
        }

        /** Events done so far: committed (write), delivered and acked (read, roundtrip). */
        long done() {
            return done.snapshot().events();
        }

        /** Events done so far, and when the last of them was done. */
        Completions.Snapshot completions() {
            return done.snapshot();
        }

        /** Sessions the workload itself opened again so far (readers starting over), not failovers. */
        long reopened() {
            return opened.sum();
        }

        /** Waits {@code length}; fails at once when a session ended (only a failure ends one). */
        void await(Duration length) throws Exception {
            long end = System.nanoTime() + length.toNanos();
            while (System.nanoTime() < end) {
                failFast(futures);
                Thread.sleep(Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
            }
        }

        /** Stops every session and waits for them; a session's failure is thrown. */
        @Override
        public void close() throws Exception {
            stop.set(true);
            try {
                for (Future<?> future : futures) {
                    TimedLoad.await(future);
                }
            } finally {
                executor.close(); // on a failure too: waits for every session, which sees stop
            }
        }
    }

    /** Publishes until {@code stop} (events 0) or {@code events} events, with chunks in flight as the bench does. */
    private Void publish(int session, String topic, long events, AtomicBoolean stop, LongConsumer committed)
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
                        committed.accept(size);
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
    private Void readAgainAndAgain(
            int session, String topic, AtomicBoolean stop, LongConsumer delivered, LongAdder opened) {
        consume(session, topic, settings.readEvents(), stop, delivered, new LongAdder());
        while (!stop.get()) {
            consume(session, topic, settings.readEvents(), stop, delivered, opened);
        }
        return null;
    }

    /** Reads what the session's writer writes until {@code stop}. */
    private Void tail(int session, String topic, AtomicBoolean stop, LongConsumer delivered) {
        consume(session, topic, Long.MAX_VALUE, stop, delivered, new LongAdder());
        return null;
    }

    /** Reads {@code events} with a new subscriber, counted in {@code opened} once its session is allocated. */
    private void consume(
            int session, String topic, long events, AtomicBoolean stop, LongConsumer delivered, LongAdder opened) {
        SubscriberOptions options = SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .maxEvents(settings.batch())
                .build();
        try (Subscriber subscriber = client(session).subscriber(options)) {
            opened.increment(); // after the backend logged its allocation: the two counts meet at the window's edges
            long received = 0;
            while (!stop.get() && received < events) {
                Batch batch = subscriber.poll((int) Math.min(settings.batch(), events - received), POLL_WAIT);
                if (!batch.isEmpty()) {
                    subscriber.ack(batch);
                    received += batch.size();
                    delivered.accept(batch.size());
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
