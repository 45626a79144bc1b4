package dev.switchboard.benchmarks;

import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The cursor codec (HMAC-SHA256 tagged), encoded on every ack and decoded on every allocation with a cursor. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CursorCodecBenchmark {
    @Param({"3", "64"})
    int partitions;

    private CursorCodec codec;
    private Cursor cursor;
    private String encoded;

    @Setup
    public void setUp() {
        codec = new CursorCodec("benchmark-cluster-secret-32-bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Map<Integer, Long> offsets = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            offsets.put(p, 1_000_000L + p);
        }
        cursor = Cursor.of("orders.created", offsets);
        encoded = codec.encode(cursor);
    }

    @Benchmark
    public String encode() {
        return codec.encode(cursor);
    }

    @Benchmark
    public Cursor decode() {
        return codec.decode(encoded);
    }
}
