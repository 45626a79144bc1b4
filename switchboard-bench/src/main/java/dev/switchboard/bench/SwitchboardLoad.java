package dev.switchboard.bench;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Drives Switchboard through the Java SDK: one publisher or subscriber (one session) per bench session.
 *
 * <p>Writers keep up to {@link #CHUNKS_IN_FLIGHT} chunks outstanding with {@code publishAsync} (the SDK caps
 * what it sends by the session's write window); a chunk's commit latency is recorded once per event in it.
 */
final class SwitchboardLoad implements Load {
    static final int CHUNKS_IN_FLIGHT = 32;
    private static final Duration POLL_WAIT = Duration.ofSeconds(1);

    private final SwitchboardClient client;
    private final BenchSettings settings;
    private final Payloads payloads;

    SwitchboardLoad(SwitchboardClient client, BenchSettings settings) {
        this.client = client;
        this.settings = settings;
        this.payloads = new Payloads(settings.size(), settings.payload());
    }

    @Override
    public String system() {
        return "switchboard";
    }

    @Override
    public void prepareTopic(String topic) {
        // A writer's allocation creates the topic (readers never do); the publisher allocates when it opens.
        client.publisher(PublisherOptions.builder().topic(topic).build()).close();
    }

    @Override
    public PhaseResult write(String topic, long events, Progress progress) throws Exception {
        Histogram latency = Latencies.histogram();
        long start = System.nanoTime();
        Sessions.run(
                settings.sessions(),
                progress,
                session -> publish(
                        topic,
                        settings.shareOf(events, session),
                        settings.batch(),
                        settings.pacer(),
                        latency,
                        progress,
                        false));
        long nanos = System.nanoTime() - start;
        return new PhaseResult(system(), "write", events, events * settings.size(), nanos, latency, 0);
    }

    /**
     * Publishes {@code events} events through one publisher in chunks of {@code chunkEvents}, each chunk on the
     * {@code pacer}'s schedule; each chunk's commit latency is recorded once per event in it. Stamped payloads
     * carry the time they are handed over (after the pacing wait).
     */
    void publish(
            String topic,
            long events,
            int chunkEvents,
            Pacer pacer,
            Histogram latency,
            Progress progress,
            boolean stamped)
            throws InterruptedException {
        PublisherOptions options = PublisherOptions.builder()
                .topic(topic)
                .chunkEvents(chunkEvents)
                .commitOnWrite(settings.fewerRoundTrips())
                .build();
        Semaphore inFlight = new Semaphore(CHUNKS_IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Publisher publisher = client.publisher(options)) {
            for (long sent = 0; sent < events && failure.get() == null; ) {
                int size = (int) Math.min(chunkEvents, events - sent);
                pacer.awaitTurn(sent);
                List<Event> chunk = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    chunk.add(Event.of(stamped ? payloads.stamped(sent + i) : payloads.get(sent + i)));
                }
                inFlight.acquire();
                long handedOver = System.nanoTime();
                publisher.publishAsync(chunk).whenComplete((ignored, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        Latencies.record(latency, handedOver, size);
                        progress.add(size);
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
    }

    @Override
    public PhaseResult read(String topic, long events, Progress progress) throws Exception {
        Histogram latency = Latencies.histogram();
        long start = System.nanoTime();
        Sessions.run(settings.sessions(), progress, session -> consume(topic, events, latency, false, progress));
        long nanos = System.nanoTime() - start;
        long total = events * settings.sessions();
        return new PhaseResult(system(), "read", total, total * settings.size(), nanos, latency, 0);
    }

    /**
     * Reads {@code events} events from the beginning of {@code topic}. Without {@code endToEnd} it records each
     * poll-and-ack's duration per event into {@code latency}; with it, each event's time since its stamped send time.
     */
    private void consume(String topic, long events, Histogram latency, boolean endToEnd, Progress progress) {
        SubscriberOptions options = SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .maxEvents(settings.batch())
                .ackOnPoll(settings.fewerRoundTrips())
                .build();
        try (Subscriber subscriber = client.subscriber(options)) {
            long received = 0;
            while (received < events) {
                long polled = System.nanoTime();
                Batch batch = subscriber.poll((int) Math.min(settings.batch(), events - received), POLL_WAIT);
                if (batch.isEmpty()) {
                    continue;
                }
                if (endToEnd) {
                    long now = System.nanoTime();
                    for (ReceivedEvent event : batch.events()) {
                        long micros = Math.max(1, (now - Payloads.stampOf(event.payload())) / 1000);
                        latency.recordValue(micros);
                    }
                }
                subscriber.ack(batch);
                if (!endToEnd) {
                    Latencies.record(latency, polled, batch.size());
                }
                received += batch.size();
                progress.add(batch.size());
            }
        }
    }

    @Override
    public PhaseResult roundtrip(String topic, long events, Progress progress) throws Exception {
        Histogram endToEnd = Latencies.histogram();
        Histogram commits = Latencies.histogram();
        Progress untracked = Progress.silent();
        long start = System.nanoTime();
        Sessions.run(settings.sessions() + 1, progress, session -> {
            if (session == settings.sessions()) {
                consume(topic, events, endToEnd, true, progress);
            } else {
                publish(
                        topic,
                        settings.shareOf(events, session),
                        settings.batch(),
                        settings.pacer(),
                        commits,
                        untracked,
                        true);
            }
        });
        long nanos = System.nanoTime() - start;
        return new PhaseResult(system(), "roundtrip", events, events * settings.size(), nanos, endToEnd, 0);
    }

    @Override
    public void close() {
        client.close();
    }
}
