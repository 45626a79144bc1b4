// Measures what fan-out costs one backend node: S read sessions tail one topic while a writer session adds
// RATE events/s of SIZE bytes (encrypted, as the standalone does), for S = 1 and S = SESSIONS, with the shared
// tail reader on (tail-cache-bytes 8 MiB) and off (0). Sessions are driven in process through
// BackendNode.handle (no HTTP, no SDK), so the figure is the backend tier's own cost plus the embedded broker's:
// delivering each event to each client over HTTP is a per-delivery cost of the API tier, measured by the bench.
// A first unreported round warms up the JIT. Reports, per run, process CPU per second of the measured window, Kafka fetch requests the broker served per
// second, and events delivered; then the ratio CPU(S = SESSIONS) / CPU(S = 1) for sharing on and off.
//
//   ./mvnw -B -q -pl switchboard-server -am package -DskipTests
//   cp="switchboard-server/target/switchboard/switchboard.jar:switchboard-server/target/switchboard/lib/*"
//   java --sun-misc-unsafe-memory-access=allow -cp "$cp" scripts/FanOut.java 100 200 30 1024
import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.BackendNode;
import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.kafka.embedded.EmbeddedKafka;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.bench.BrokerFetches;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;

public class FanOut {
    private static final byte[] SECRET = "fan-out-measurement-cluster-secret".getBytes();

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path dir = Files.createTempDirectory("switchboard-fanout");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            System.out.printf("rate=%d events/s size=%d bytes window=%d s%n", rate, size, seconds);
            System.out.print("warm-up (JIT), not counted: ");
            run(kafka, dir, BackendConfig.DEFAULT_TAIL_CACHE_BYTES, sessions, rate, 10, size);
            run(kafka, dir, 0, sessions, rate, 10, size);
            for (long cache : new long[] {BackendConfig.DEFAULT_TAIL_CACHE_BYTES, 0}) {
                double one = run(kafka, dir, cache, 1, rate, seconds, size);
                double many = run(kafka, dir, cache, sessions, rate, seconds, size);
                System.out.printf(
                        "tail-cache-bytes=%d: cpu(%d sessions) / cpu(1 session) = %.2f%n", cache, sessions, many / one);
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** One measured run; answers process CPU milliseconds per second of the window. */
    private static double run(EmbeddedKafka kafka, Path dir, long cache, int sessions, int rate, int seconds, int size)
            throws Exception {
        String topic = "fanout-" + cache + "-" + sessions + "-" + seconds;
        BackendConfig config = BackendConfig.builder("fanout", kafka.bootstrapServers())
                .autoCreateTopics(true)
                .tailCacheBytes(cache)
                .encryption(EncryptionConfig.local(dir.resolve("kek.p12"), "fan-out").withCreateKeystore(true))
                .build();
        try (BackendNode node = BackendNode.start(config, SECRET, Clock.systemUTC())) {
            String writer = call(node, SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.WRITE)))
                    .getAllocate()
                    .getSessionId();
            List<String> readers = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                readers.add(allocateReader(node, topic));
            }
            AtomicLong delivered = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService loops = Executors.newVirtualThreadPerTaskExecutor();
            for (String reader : readers) {
                loops.submit(() -> readLoop(node, reader, delivered, stop));
            }
            Writer writing = new Writer(node, writer, size);
            writing.produce(rate, 10); // warm-up: every reader catches up (and joins the tail reader)

            long cpuBefore = processCpuNanos();
            long fetchesBefore = BrokerFetches.count();
            long deliveredBefore = delivered.get();
            long start = System.nanoTime();
            writing.produce(rate, seconds);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double cpuMsPerS = (processCpuNanos() - cpuBefore) / 1e6 / elapsed;
            double fetchesPerS = (BrokerFetches.count() - fetchesBefore) / elapsed;
            long expected = (long) sessions * writing.written();
            Thread.sleep(2_000); // the last events reach every reader
            stop.set(true);
            loops.shutdown();
            loops.awaitTermination(10, TimeUnit.SECONDS);
            System.out.printf(
                    "tail-cache-bytes=%-8d sessions=%-4d cpu=%.0f ms/s kafka-fetches=%.0f /s delivered=%d of %d"
                            + " (measured window %d) reader-consumers=%d%n",
                    cache,
                    sessions,
                    cpuMsPerS,
                    fetchesPerS,
                    delivered.get(),
                    expected,
                    delivered.get() - deliveredBefore,
                    readerConsumers());
            for (String reader : readers) {
                call(node, SwitchRequest.dispose(new DisposeRequest(reader)));
            }
            return cpuMsPerS;
        }
    }

    private static void readLoop(BackendNode node, String session, AtomicLong delivered, AtomicBoolean stop) {
        long seq = 1;
        while (!stop.get()) {
            SwitchResponse read = call(
                    node, SwitchRequest.read(new ReadRequest(session, seq).setMaxEvents(1000).setMaxWaitMs(500)));
            if (!read.isSetRead()) {
                throw new IllegalStateException("read failed: " + read);
            }
            if (!read.getRead().getEvents().isEmpty()) {
                delivered.addAndGet(read.getRead().getEvents().size());
                SwitchResponse ack = call(node, SwitchRequest.ack(new AckRequest(session, seq++)));
                if (!ack.isSetAck()) {
                    throw new IllegalStateException("ack failed: " + ack);
                }
            }
        }
    }

    /** A write session committing a chunk every 100 ms. */
    private static final class Writer {
        private final BackendNode node;
        private final String session;
        private final byte[] payload;
        private long seq;
        private long written;

        Writer(BackendNode node, String session, int size) {
            this.node = node;
            this.session = session;
            this.payload = new byte[size];
            new Random(1).nextBytes(payload);
        }

        void produce(int rate, int seconds) throws InterruptedException {
            int perChunk = Math.max(1, rate / 10);
            long next = System.nanoTime();
            for (int chunk = 0; chunk < seconds * 10; chunk++) {
                List<Event> events = new ArrayList<>(perChunk);
                for (int i = 0; i < perChunk; i++) {
                    events.add(new Event().setPayload(ByteBuffer.wrap(payload)));
                }
                seq++;
                SwitchResponse write = call(node, SwitchRequest.write(new WriteRequest(session, seq, events)));
                SwitchResponse commit = call(node, SwitchRequest.commit(new CommitRequest(session, seq)));
                if (!write.isSetWrite() || !commit.isSetCommit()) {
                    throw new IllegalStateException("write failed: " + write + " " + commit);
                }
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

    /**
     * A read session at the end of {@code topic}. Readers never create topics, and one the writer's allocate just
     * created can be missing from the node's metadata for a moment (seen once in CI): such a refusal
     * (TOPIC_NOT_FOUND) is retried for up to 10 s.
     */
    private static String allocateReader(BackendNode node, String topic) throws InterruptedException {
        SwitchRequest request =
                SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.LATEST));
        for (int attempt = 1; ; attempt++) {
            SwitchResponse response = call(node, request, attempt < 100);
            if (!response.isSetError()) {
                return response.getAllocate().getSessionId();
            }
            Thread.sleep(100);
        }
    }

    private static SwitchResponse call(BackendNode node, SwitchRequest request, boolean topicMayBeMissing) {
        SwitchResponse response;
        try {
            response = node.handle(request).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (topicMayBeMissing
                && response.isSetError()
                && response.getError().getCode() == dev.switchboard.protocol.thrift.ErrorCode.TOPIC_NOT_FOUND) {
            return response;
        }
        if (response.isSetError()) {
            throw new IllegalStateException(request.getSetField() + " refused: " + response.getError());
        }
        return response;
    }

    private static SwitchResponse call(BackendNode node, SwitchRequest request) {
        return call(node, request, false);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static int readerConsumers() throws Exception {
        return ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("kafka.consumer:type=consumer-metrics,client-id=*-reader-*"), null)
                .stream()
                .filter(name -> !name.getKeyProperty("client-id").endsWith("-keys"))
                .toList()
                .size();
    }
}
