package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Guarantee;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.testkit.EmbeddedAmqpBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite: a local cluster (one shard, two backends, two API nodes, Kafka; its AMQP broker an embedded
 * Qpid broker of this JVM, never the machine's RabbitMQ) under a steady produce and consume load while, in turn,
 * a fault is injected. For each fault it counts the events acknowledged to the writer, the events read back,
 * the acknowledged events never read (lost, must be 0), the events read more than once (duplicates; at-least-once
 * writers may see some), the errors the clients saw (must be 0: every outage here is shorter than the 2 minute
 * retry budget), and the time from the fault until a publish sent after it was acknowledged.
 *
 * <p>By default (CI) it runs the two backend faults with short phases (about 2.5 minutes); {@code -Dchaos.full=true}
 * ({@code scripts/chaos.sh}) runs all seven with longer ones (the last two under an exactly-once writer, where
 * duplicates must be 0 too); {@code -Dchaos.faults=NAME,...} picks faults. The table goes to
 * {@code switchboard-server/target/chaos/faults.md} and standard output.
 */
class ChaosSuiteIT {
    private static final boolean FULL = Boolean.getBoolean("chaos.full");
    private static final Duration WARM = FULL ? Duration.ofSeconds(10) : Duration.ofSeconds(5);
    private static final Duration RECOVERY = FULL ? Duration.ofSeconds(25) : Duration.ofSeconds(8);
    private static final Duration BROKER_OUTAGE = Duration.ofSeconds(15);
    private static final int EVENTS_PER_PUBLISH = 10;
    private static final Duration PUBLISH_EVERY = Duration.ofMillis(50);

    enum Fault {
        BACKEND_KILL("a backend killed (kill -9), the writer's"),
        BACKEND_DRAIN("a backend drained (SIGTERM), the writer's"),
        API_KILL("an API node killed (kill -9), the one in use"),
        BROKER_STOP("the AMQP broker stopped for 15 s, then started"),
        KAFKA_KILL("Kafka killed (kill -9), restarted by local-cluster"),
        EXACTLY_ONCE_BACKEND_KILL("a backend killed (kill -9), the exactly-once writer's", true),
        EXACTLY_ONCE_BACKEND_DRAIN("a backend drained (SIGTERM), the exactly-once writer's", true);

        final String description;
        /** The writer is exactly-once: duplicates must be 0 too. */
        final boolean exactlyOnce;

        Fault(String description) {
            this(description, false);
        }

        Fault(String description, boolean exactlyOnce) {
            this.description = description;
            this.exactlyOnce = exactlyOnce;
        }
    }

    record Row(
            Fault fault,
            long acknowledged,
            long read,
            long lost,
            long duplicates,
            long errors,
            String recovery,
            String firstError) {
        String markdown() {
            return "| " + fault.description + " | " + acknowledged + " | " + read + " | " + lost + " | " + duplicates
                    + " | " + errors + " | " + recovery + " |";
        }
    }

    @TempDir
    static Path workDir;

    @Test
    void theClusterRidesOutEveryFaultWithoutLosingAnAcknowledgedEvent() throws Exception {
        List<Fault> faults = faults();
        List<Row> rows = new ArrayList<>();
        try (EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start()) {
            RunningCluster cluster = RunningCluster.start(
                    workDir, "--shards", "1", "--backends", "2", "--apis", "2", "--amqp", broker.uri() + "/default");
            try (SwitchboardClient client = SwitchboardClient.builder()
                    .urls(cluster.apiUrls())
                    .token(cluster.devToken())
                    .build()) {
                for (Fault fault : faults) {
                    awaitHealthy(cluster);
                    rows.add(phase(fault, cluster, broker, client));
                    System.out.println("chaos: " + rows.getLast().markdown());
                }
            } finally {
                cluster.close();
            }
        }
        String table = table(rows);
        Path report = Path.of("target", "chaos", "faults.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, table);
        System.out.println(table);
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.lost())
                    .as("%s: acknowledged events lost", row.fault())
                    .isZero();
            assertThat(row.errors())
                    .as("%s: client-visible errors (first: %s)", row.fault(), row.firstError())
                    .isZero();
            assertThat(row.acknowledged())
                    .as("%s: events acknowledged", row.fault())
                    .isPositive();
            if (row.fault().exactlyOnce) {
                assertThat(row.duplicates())
                        .as("%s: duplicates of an exactly-once writer", row.fault())
                        .isZero();
            }
        });
    }

    /**
     * {@code -Dchaos.faults=A,B} (names of {@link Fault}) runs those; else the full suite runs all, CI the two
     * backend faults (the API node kill and an exactly-once writer's backend kill are LocalClusterIT's).
     */
    private static List<Fault> faults() {
        String chosen = System.getProperty("chaos.faults", "").trim();
        if (!chosen.isEmpty()) {
            return java.util.Arrays.stream(chosen.split(","))
                    .map(name -> Fault.valueOf(name.trim().toUpperCase(Locale.ROOT)))
                    .toList();
        }
        return FULL ? List.of(Fault.values()) : List.of(Fault.BACKEND_KILL, Fault.BACKEND_DRAIN);
    }

    private Row phase(Fault fault, RunningCluster cluster, EmbeddedAmqpBroker broker, SwitchboardClient client)
            throws Exception {
        String topic = "chaos-" + fault.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + System.nanoTime();
        Load load = new Load(client, topic, fault.exactlyOnce);
        load.start();
        await().atMost(Duration.ofMinutes(2)).until(() -> load.acknowledged.size() >= 100);
        await().pollDelay(WARM).atMost(WARM.plusSeconds(1)).until(() -> true);
        long faultAt = System.nanoTime();
        inject(fault, cluster, broker, topic);
        Duration window = fault == Fault.BROKER_STOP ? BROKER_OUTAGE.plus(RECOVERY) : RECOVERY;
        await().pollDelay(window).atMost(window.plusSeconds(1)).until(() -> true);
        load.stopAndSettle();
        return load.row(fault, faultAt);
    }

    private static void inject(Fault fault, RunningCluster cluster, EmbeddedAmqpBroker broker, String topic)
            throws Exception {
        switch (fault) {
            case BACKEND_KILL, EXACTLY_ONCE_BACKEND_KILL -> RunningCluster.kill(writersBackend(cluster, topic));
            case BACKEND_DRAIN, EXACTLY_ONCE_BACKEND_DRAIN ->
                ProcessHandle.of(writersBackend(cluster, topic).pid())
                        .orElseThrow()
                        .destroy();
            case API_KILL -> RunningCluster.kill(cluster.current("api").getFirst());
            case BROKER_STOP -> {
                broker.stop();
                ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
                later.schedule(broker::restart, BROKER_OUTAGE.toMillis(), TimeUnit.MILLISECONDS);
                later.shutdown();
            }
            case KAFKA_KILL -> RunningCluster.kill(cluster.current("kafka").getFirst());
        }
    }

    /** The backend hosting the newest write session of {@code topic}. */
    private static RunningCluster.Member writersBackend(RunningCluster cluster, String topic) throws IOException {
        List<RunningCluster.Allocation> writers = cluster.allocations().stream()
                .filter(allocation ->
                        allocation.topic().equals(topic) && allocation.mode().equals("WRITE"))
                .toList();
        String node = writers.getLast().node();
        return cluster.current("backend").stream()
                .filter(member -> member.nodeId().equals(node))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until every process of cluster.json runs and every API node is ready. */
    private static void awaitHealthy(RunningCluster cluster) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (String role : List.of("kafka", "backend", "api")) {
                        for (RunningCluster.Member member : cluster.current(role)) {
                            if (ProcessHandle.of(member.pid())
                                            .map(ProcessHandle::isAlive)
                                            .orElse(false)
                                    == Boolean.FALSE) {
                                return false;
                            }
                        }
                    }
                    if (cluster.current("backend").size() < 2) {
                        return false;
                    }
                    for (URI api : cluster.apiUrls()) {
                        try {
                            HttpResponse<Void> answer = http.send(
                                    HttpRequest.newBuilder(api.resolve("/health/ready"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (answer.statusCode() != 200) {
                                return false;
                            }
                        } catch (IOException e) {
                            return false;
                        }
                    }
                    return true;
                });
        // both backends serve again: the allocation queue has two consumers once both logged ready
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    }

    private static String table(List<Row> rows) {
        StringBuilder table = new StringBuilder();
        table.append("| fault | events acknowledged | events read back | lost | duplicates | client-visible errors"
                + " | writes acknowledged again after |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(row -> table.append(row.markdown()).append('\n'));
        return table.toString();
    }

    /**
     * A steady load on one topic: a publisher sending {@value #EVENTS_PER_PUBLISH} events every 50 ms (at most 64
     * publishes outstanding) and a subscriber reading from the earliest event, acknowledging every batch.
     */
    private static final class Load {
        private final SwitchboardClient client;
        private final String topic;
        private final Publisher publisher;
        private final Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final ConcurrentLinkedQueue<String> read = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<long[]> publishes = new ConcurrentLinkedQueue<>(); // submitted, done
        private final AtomicLong errors = new AtomicLong();
        private final AtomicReference<String> firstError = new AtomicReference<>("");
        private final AtomicLong next = new AtomicLong();
        private final AtomicLong outstanding = new AtomicLong();
        private final Semaphore window = new Semaphore(64);
        private final AtomicBoolean reading = new AtomicBoolean(true);
        private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        private Thread reader;

        Load(SwitchboardClient client, String topic, boolean exactlyOnce) {
            this.client = client;
            this.topic = topic;
            this.publisher = client.publisher(PublisherOptions.builder()
                    .topic(topic)
                    .writerId(topic)
                    .chunkEvents(50)
                    .guarantee(exactlyOnce ? Guarantee.EXACTLY_ONCE : Guarantee.AT_LEAST_ONCE)
                    .build());
        }

        void start() {
            pacer.scheduleAtFixedRate(this::publishOne, 0, PUBLISH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            reader = Thread.ofVirtual().name("chaos-reader").start(this::readLoop);
        }

        private void publishOne() {
            if (!window.tryAcquire()) {
                return; // back-pressure: the writer is stalled, do not queue without bound
            }
            long first = next.getAndAdd(EVENTS_PER_PUBLISH);
            List<String> payloads = IntStream.range(0, EVENTS_PER_PUBLISH)
                    .mapToObj(i -> topic + ":" + (first + i))
                    .toList();
            long submitted = System.nanoTime();
            outstanding.incrementAndGet();
            try {
                publisher
                        .publishAsync(payloads.stream().map(Event::of).toList())
                        .whenComplete((result, failure) -> {
                            if (failure == null) {
                                acknowledged.addAll(payloads);
                                publishes.add(new long[] {submitted, System.nanoTime()});
                            } else {
                                error(failure);
                            }
                            outstanding.decrementAndGet();
                            window.release();
                        });
            } catch (RuntimeException e) {
                error(e);
                outstanding.decrementAndGet();
                window.release();
            }
        }

        private void readLoop() {
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.builder()
                    .topic(topic)
                    .start(StartPosition.earliest())
                    .build())) {
                while (reading.get()) {
                    try {
                        Batch batch = subscriber.poll(500, Duration.ofMillis(500));
                        batch.events().forEach(event -> read.add(event.payloadAsString()));
                        subscriber.ack(batch);
                    } catch (RuntimeException e) {
                        error(e);
                    }
                }
            }
        }

        private void error(Throwable failure) {
            errors.incrementAndGet();
            firstError.compareAndSet("", String.valueOf(failure));
        }

        /** Stops publishing, waits for every publish's outcome, then reads until everything acknowledged came. */
        void stopAndSettle() throws InterruptedException {
            pacer.shutdown();
            pacer.awaitTermination(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofMinutes(3)).until(() -> outstanding.get() == 0);
            try {
                publisher.close();
            } catch (RuntimeException e) {
                error(e);
            }
            try {
                await().atMost(Duration.ofMinutes(2)).until(() -> new HashSet<>(read).containsAll(acknowledged));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // reported as lost below
            }
            reading.set(false);
            reader.join(Duration.ofSeconds(10));
        }

        Row row(Fault fault, long faultAt) {
            Set<String> distinct = new HashSet<>(read);
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(distinct);
            String recovery = publishes.stream()
                    .filter(publish -> publish[0] >= faultAt)
                    .mapToLong(publish -> publish[1] - faultAt)
                    .min()
                    .stream()
                    .mapToObj(nanos -> String.format(Locale.ROOT, "%.1f s", nanos / 1e9))
                    .findFirst()
                    .orElse("never");
            return new Row(
                    fault,
                    acknowledged.size(),
                    read.size(),
                    lost.size(),
                    read.size() - distinct.size(),
                    errors.get(),
                    recovery,
                    firstError.get());
        }
    }
}
