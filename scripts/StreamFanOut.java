// Measures what fan-out costs the API and backend tiers end to end, over the binary TCP port: S subscribers of the
// Java SDK tail one topic while a publisher adds RATE events/s of SIZE bytes, for S = 1 and S = SESSIONS, once with
// streaming delivery (the SDK's default on sb:// URLs) and once with long polls (streamWindow 0, a read call per
// batch). The standalone (API, backend and the embedded Kafka broker) runs as a child process, so its CPU (from
// /proc/<pid>/stat) is the tiers' cost alone; the subscribers and the publisher run in this JVM, whose CPU is
// reported beside it (the subscribers' own decoding). A first unreported round warms up the JIT of both processes.
// Reports, per run, server and client CPU per second of the measured window and events delivered; then, per
// delivery, the ratio server CPU(S = SESSIONS) / server CPU(S = 1).
//
//   ./mvnw -B -q -pl switchboard-server -am package -DskipTests
//   cp="switchboard-server/target/switchboard/switchboard.jar:switchboard-server/target/switchboard/lib/*"
//   java --sun-misc-unsafe-memory-access=allow -cp "$cp" scripts/StreamFanOut.java 100 200 30 1024 [stream|poll|both]
import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class StreamFanOut {
    private static final Pattern TCP_URL = Pattern.compile("tcp-url=(sb://\\S+)");
    /** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        String which = args.length > 4 ? args[4] : "both";
        List<String> deliveries = switch (which) {
            case "stream" -> List.of("stream");
            case "poll" -> List.of("poll");
            case "both" -> List.of("stream", "poll");
            default -> throw new IllegalArgumentException("delivery must be stream, poll or both, got " + which);
        };
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path dir = Files.createTempDirectory("switchboard-streamfanout");
        Process server = startStandalone(dir);
        try {
            URI url = URI.create(readyUrl(server));
            String token = Files.readString(dir.resolve("data").resolve("dev-token")).strip();
            System.out.printf(
                    "rate=%d events/s size=%d bytes window=%d s url=%s server-pid=%d%n",
                    rate, size, seconds, url, server.pid());
            try (SwitchboardClient client =
                    SwitchboardClient.builder().url(url).token(token).build()) {
                System.out.print("warm-up (JIT), not counted: ");
                for (String delivery : deliveries) {
                    run(client, server, delivery, sessions, rate, Math.min(10, seconds), size);
                }
                for (String delivery : deliveries) {
                    double one = run(client, server, delivery, 1, rate, seconds, size);
                    double many = run(client, server, delivery, sessions, rate, seconds, size);
                    System.out.printf(
                            "delivery=%s: server cpu(%d sessions) / cpu(1 session) = %.2f%n",
                            delivery, sessions, many / one);
                }
            }
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The standalone as a child process of the same Java and class path, with its binary TCP port. */
    private static Process startStandalone(Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(
                        java,
                        "--sun-misc-unsafe-memory-access=allow",
                        "-Xmx1g",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.switchboard.server.Main",
                        "standalone",
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--port",
                        "0",
                        "--set",
                        "tcp-port=0")
                .redirectErrorStream(true)
                .start();
    }

    /** Reads the child's log until its ready line, which names the TCP URL; keeps draining it after. */
    private static String readyUrl(Process server) throws Exception {
        BufferedReader log = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                String line;
                while ((line = log.readLine()) != null) {
                    if (!url.isDone()) {
                        lines.add(line);
                        Matcher matcher = TCP_URL.matcher(line);
                        if (line.contains("ready") && matcher.find()) {
                            url.complete(matcher.group(1));
                        }
                    }
                }
            } catch (Exception e) {
                // the process ended
            }
            url.completeExceptionally(new IllegalStateException("the standalone ended before it was ready: " + lines));
        });
        return url.get(120, TimeUnit.SECONDS);
    }

    /** One measured run; answers the server's CPU milliseconds per second of the window. */
    private static double run(
            SwitchboardClient client, Process server, String delivery, int sessions, int rate, int seconds, int size)
            throws Exception {
        String topic = "streamfanout-" + delivery + "-" + sessions + "-" + seconds + "-" + System.nanoTime();
        try (Publisher publisher = client.publisher(PublisherOptions.of(topic));
                ExecutorService loops = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicLong delivered = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch ready = new CountDownLatch(sessions);
            List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
            try {
                for (int i = 0; i < sessions; i++) {
                    readers.add(loops.submit(() -> {
                        readLoop(client, topic, delivery, delivered, stop, ready);
                        return null;
                    }));
                }
                if (!ready.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("subscribers not ready after 120 s");
                }
                Writer writing = new Writer(publisher, size);
                writing.produce(rate, 3); // every reader catches up

                long serverBefore = cpuNanos(server.pid());
                long clientBefore = processCpuNanos();
                long deliveredBefore = delivered.get();
                long start = System.nanoTime();
                writing.produce(rate, seconds);
                double elapsed = (System.nanoTime() - start) / 1e9;
                double serverMsPerS = (cpuNanos(server.pid()) - serverBefore) / 1e6 / elapsed;
                double clientMsPerS = (processCpuNanos() - clientBefore) / 1e6 / elapsed;
                long inWindow = delivered.get() - deliveredBefore;
                long expected = (long) sessions * writing.written();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (delivered.get() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(100); // the last events reach every reader
                }
                stop.set(true);
                for (var reader : readers) {
                    reader.get(60, TimeUnit.SECONDS); // a reader's failure fails the run
                }
                System.out.printf(
                        "delivery=%-6s sessions=%-4d server-cpu=%.0f ms/s client-cpu=%.0f ms/s delivered=%d of %d"
                                + " (measured window %d)%n",
                        delivery,
                        sessions,
                        serverMsPerS,
                        clientMsPerS,
                        delivered.get(),
                        expected,
                        inWindow);
                if (delivered.get() < expected) {
                    throw new IllegalStateException("events lost: delivered " + delivered.get() + " of " + expected);
                }
                return serverMsPerS;
            } finally {
                stop.set(true); // the readers end, so closing the executor does not wait forever
            }
        }
    }

    private static void readLoop(
            SwitchboardClient client,
            String topic,
            String delivery,
            AtomicLong delivered,
            AtomicBoolean stop,
            CountDownLatch ready)
            throws InterruptedException {
        SubscriberOptions options = SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.latest())
                .maxEvents(1000)
                .streamWindow(delivery.equals("stream") ? SubscriberOptions.DEFAULT_STREAM_WINDOW : 0)
                .build();
        try (Subscriber subscriber = subscribe(client, options)) {
            subscriber.ack(subscriber.poll(1000, Duration.ZERO)); // tailing before the window opens
            ready.countDown();
            while (!stop.get()) {
                Batch batch = subscriber.poll(1000, Duration.ofMillis(500));
                delivered.addAndGet(batch.size());
                subscriber.ack(batch);
            }
        }
    }

    /**
     * A subscriber at the end of the topic. Readers never create topics, and one the publisher's allocate just created
     * can be missing from the node's metadata for a moment: TOPIC_NOT_FOUND is retried for up to 10 s.
     */
    private static Subscriber subscribe(SwitchboardClient client, SubscriberOptions options)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.subscriber(options);
            } catch (SwitchboardClientException e) {
                if (e.code() != dev.switchboard.protocol.ErrorCode.TOPIC_NOT_FOUND || attempt >= 100) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Publishes a chunk every 100 ms. */
    private static final class Writer {
        private final Publisher publisher;
        private final byte[] payload;
        private long written;

        Writer(Publisher publisher, int size) {
            this.publisher = publisher;
            this.payload = new byte[size];
            new Random(1).nextBytes(payload);
        }

        void produce(int rate, int seconds) throws InterruptedException {
            int perChunk = Math.max(1, rate / 10);
            long next = System.nanoTime();
            for (int chunk = 0; chunk < seconds * 10; chunk++) {
                List<Event> events = new ArrayList<>(perChunk);
                for (int i = 0; i < perChunk; i++) {
                    events.add(Event.of(payload));
                }
                publisher.publish(events);
                written += perChunk;
                next += TimeUnit.MILLISECONDS.toNanos(100);
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        }

        long written() {
            return written;
        }
    }

    /** utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15, after the parenthesised name). */
    private static long cpuNanos(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
