package dev.switchboard.benchmarks;

import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.backend.LocalKeyManagementService;
import dev.switchboard.backend.internal.DataKeys;
import dev.switchboard.backend.internal.EnvelopeCipher;
import dev.switchboard.backend.internal.RecordCipher;
import dev.switchboard.protocol.thrift.Event;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encryption at rest as the backend does it for every event: seal (AES-256-GCM under the topic's data key, a fresh
 * 96-bit nonce, payload and user headers in one sealed value) and open. Data keys stay in memory here; a node keeps
 * them in the keys topic, which only matters when a key is created or first met.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class EncryptionBenchmark {
    private static final String TOPIC = "orders";

    @Param({"1024", "16384"})
    int size;

    private Path dir;
    private EnvelopeCipher cipher;
    private Event event;
    private ConsumerRecord<byte[], byte[]> sealed;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("switchboard-encryption-benchmark");
        LocalKeyManagementService kms =
                LocalKeyManagementService.open(dir.resolve("kek.p12"), "benchmark".toCharArray(), true);
        DataKeys keys = DataKeys.inMemory(
                kms, EncryptionConfig.DEFAULT_KEY_MAX_AGE, EncryptionConfig.MAX_KEY_RECORDS, Clock.systemUTC());
        cipher = new EnvelopeCipher(keys, true);
        byte[] payload = new byte[size];
        new Random(7).nextBytes(payload);
        event = new Event()
                .setPayload(ByteBuffer.wrap(payload))
                .setKey(ByteBuffer.wrap("customer-42".getBytes()))
                .setHeaders(Map.of("content-type", ByteBuffer.wrap("application/json".getBytes())));
        ProducerRecord<byte[], byte[]> record = cipher.seal(TOPIC, event, "w-benchmark:1:0");
        sealed = new ConsumerRecord<>(
                TOPIC,
                0,
                0L,
                0L,
                TimestampType.CREATE_TIME,
                record.key().length,
                record.value().length,
                record.key(),
                record.value(),
                record.headers(),
                Optional.empty());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public ProducerRecord<byte[], byte[]> seal() {
        return cipher.seal(TOPIC, event, "w-benchmark:1:0");
    }

    @Benchmark
    public RecordCipher.Opened open() {
        return cipher.open(sealed);
    }
}
