package dev.switchboard.benchmarks;

import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.WriteRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TException;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TCompactProtocol;
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

/**
 * Thrift compact-protocol encode and decode of one write batch (a {@code WriteRequest} chunk), as the SDK and the
 * API tier do per request; and gzip of the encoded batch, the SDK's compression of large bodies. Payloads are
 * random, as encrypted or already compressed data would be.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ThriftBenchmark {
    @Param({"500"})
    int events;

    @Param({"1024"})
    int size;

    private WriteRequest request;
    private byte[] encoded;
    private TSerializer serializer;
    private TDeserializer deserializer;

    @Setup
    public void setUp() throws TException {
        SplittableRandom random = new SplittableRandom(1);
        List<Event> batch = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            batch.add(new Event().setPayload(ByteBuffer.wrap(payload)));
        }
        request = new WriteRequest("s0.n1.0123456789abcdef", 1, batch);
        serializer = new TSerializer(new TCompactProtocol.Factory());
        deserializer = new TDeserializer(new TCompactProtocol.Factory());
        encoded = serializer.serialize(request);
    }

    @Benchmark
    public byte[] encodeWriteBatch() throws TException {
        return serializer.serialize(request);
    }

    @Benchmark
    public WriteRequest decodeWriteBatch() throws TException {
        WriteRequest decoded = new WriteRequest();
        deserializer.deserialize(decoded, encoded);
        return decoded;
    }

    @Benchmark
    public byte[] gzipEncodedWriteBatch() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024)) {
            gzip.write(encoded);
        }
        return out.toByteArray();
    }
}
