package dev.switchboard.backend.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * The spill journal's file format: chunks a draining node could not get acknowledged by Kafka, already sealed,
 * to be published again when the node starts.
 *
 * <pre>
 *   file   = magic "SBSPILL2" (8 bytes), record*
 *   record = length (int32, of body) | crc (int32, CRC32C of body) | body
 *   body   = principal (UTF) | topic (UTF) | writerId (UTF) | seq (int64) | count (int32) | kafka-record*
 *   kafka-record = partition (int32, -1: none) | timestamp (int64, -1: none) | key (int32 length, -1: null; bytes)
 *                  | value (int32 length, -1: null; bytes) | header count (int32) | (name (UTF) | value (int32 length; bytes))*
 * </pre>
 *
 * <p>The body names the whole writer key (principal, topic, writer id), so re-injection can write the writer's
 * durable state after the chunk. Version 1 files ({@code SBSPILL1}, written before the principal was kept: the
 * body starts at the topic) are still read; their chunks carry no principal.
 *
 * <p>Reading stops at the first record that is truncated or whose CRC does not match: everything before it is
 * returned (the good prefix), the rest is reported as a problem, never guessed at. A record is written whole and
 * the file is forced to disk before any commit is answered as spilled.
 */
public final class SpillJournal {
    static final byte[] MAGIC = "SBSPILL2".getBytes(StandardCharsets.US_ASCII);
    /** Version 1: no principal in the body. Read, never written. */
    static final byte[] MAGIC_V1 = "SBSPILL1".getBytes(StandardCharsets.US_ASCII);
    /** No body is larger: a length above it is corruption, not a record to allocate for. */
    static final int MAX_BODY_BYTES = 256 << 20;

    private SpillJournal() {}

    /**
     * One chunk of one writer, as it was staged: sealed records in order. {@code principal} is empty only for a
     * chunk read from a version 1 journal, which did not keep it.
     */
    public record Chunk(
            Optional<String> principal,
            String topic,
            String writerId,
            long seq,
            List<ProducerRecord<byte[], byte[]>> records) {
        public Chunk {
            records = List.copyOf(records);
        }

        Chunk(WriterKey key, long seq, List<ProducerRecord<byte[], byte[]>> records) {
            this(Optional.of(key.principal()), key.topic(), key.writerId(), seq, records);
        }

        /** The writer whose chunk this is; empty for a version 1 chunk. */
        Optional<WriterKey> key() {
            return principal.map(name -> new WriterKey(name, topic, writerId));
        }
    }

    /** What a journal held: the good prefix, and what was wrong after it, if anything. */
    public record Contents(List<Chunk> chunks, Optional<String> problem) {}

    /** Writes {@code chunks} to a new file {@code file} and forces it (and its directory entry) to disk. */
    public static void write(Path file, List<Chunk> chunks) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(channel, ByteBuffer.wrap(MAGIC));
            for (Chunk chunk : chunks) {
                byte[] body = encode(chunk);
                CRC32C crc = new CRC32C();
                crc.update(body);
                ByteBuffer header = ByteBuffer.allocate(8).putInt(body.length).putInt((int) crc.getValue());
                writeFully(channel, header.flip());
                writeFully(channel, ByteBuffer.wrap(body));
            }
            channel.force(true);
        }
        Path directory = file.toAbsolutePath().getParent();
        if (directory != null) {
            forceDirectory(directory);
        }
    }

    /** Reads a journal: every whole, intact record up to the first bad one. An empty file holds nothing. */
    public static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            return new Contents(List.of(), Optional.empty());
        }
        boolean v2 = hasMagic(bytes, MAGIC);
        if (!v2 && !hasMagic(bytes, MAGIC_V1)) {
            return new Contents(List.of(), Optional.of("not a spill journal (bad magic)"));
        }
        List<Chunk> chunks = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes, MAGIC.length, bytes.length - MAGIC.length);
        while (in.hasRemaining()) {
            int offset = in.position();
            if (in.remaining() < 8) {
                return bad(chunks, "truncated record header at byte " + offset);
            }
            int length = in.getInt();
            int expected = in.getInt();
            if (length < 0 || length > MAX_BODY_BYTES) {
                return bad(chunks, "impossible record length " + length + " at byte " + offset);
            }
            if (in.remaining() < length) {
                return bad(
                        chunks,
                        "truncated record at byte " + offset + " (" + in.remaining() + " of " + length + " bytes)");
            }
            byte[] body = new byte[length];
            in.get(body);
            CRC32C crc = new CRC32C();
            crc.update(body);
            if ((int) crc.getValue() != expected) {
                return bad(chunks, "CRC mismatch in the record at byte " + offset);
            }
            try {
                chunks.add(decode(body, v2));
            } catch (IOException | RuntimeException e) {
                return bad(chunks, "undecodable record at byte " + offset + ": " + e);
            }
        }
        return new Contents(List.copyOf(chunks), Optional.empty());
    }

    private static boolean hasMagic(byte[] bytes, byte[] magic) {
        return bytes.length >= magic.length && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
    }

    private static Contents bad(List<Chunk> chunks, String problem) {
        return new Contents(
                List.copyOf(chunks), Optional.of(problem + "; " + chunks.size() + " chunks before it kept"));
    }

    static byte[] encode(Chunk chunk) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(
                    chunk.principal().orElseThrow(() -> new IllegalArgumentException("a chunk without principal")));
            out.writeUTF(chunk.topic());
            out.writeUTF(chunk.writerId());
            out.writeLong(chunk.seq());
            out.writeInt(chunk.records().size());
            for (ProducerRecord<byte[], byte[]> record : chunk.records()) {
                out.writeInt(record.partition() == null ? -1 : record.partition());
                out.writeLong(record.timestamp() == null ? -1 : record.timestamp());
                writeBytes(out, record.key());
                writeBytes(out, record.value());
                Header[] headers = record.headers().toArray();
                out.writeInt(headers.length);
                for (Header header : headers) {
                    out.writeUTF(header.key());
                    writeBytes(out, header.value());
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    private static Chunk decode(byte[] body, boolean v2) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        Optional<String> principal = v2 ? Optional.of(in.readUTF()) : Optional.empty();
        String topic = in.readUTF();
        String writerId = in.readUTF();
        long seq = in.readLong();
        int count = in.readInt();
        if (count < 0 || count > body.length) {
            throw new IOException("impossible record count " + count);
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int partition = in.readInt();
            long timestamp = in.readLong();
            byte[] key = readBytes(in, body.length);
            byte[] value = readBytes(in, body.length);
            int headerCount = in.readInt();
            if (headerCount < 0 || headerCount > body.length) {
                throw new IOException("impossible header count " + headerCount);
            }
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                    topic, partition < 0 ? null : partition, timestamp < 0 ? null : timestamp, key, value);
            for (int h = 0; h < headerCount; h++) {
                record.headers().add(in.readUTF(), readBytes(in, body.length));
            }
            records.add(record);
        }
        if (in.read() != -1) {
            throw new IOException("trailing bytes");
        }
        return new Chunk(principal, topic, writerId, seq, records);
    }

    private static void writeBytes(DataOutputStream out, byte @Nullable [] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static byte @Nullable [] readBytes(DataInputStream in, int limit) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > limit) {
            throw new EOFException("impossible length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened for this; the file itself is forced
        }
    }
}
