package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillJournalTest {
    @TempDir
    Path dir;

    private static SpillJournal.Chunk chunk(String writer, long seq, int events) {
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < events; i++) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                    "orders",
                    i % 2 == 0 ? null : i,
                    i % 3 == 0 ? null : 1_700_000_000_000L + i,
                    i % 2 == 0 ? null : ("key" + i).getBytes(StandardCharsets.UTF_8),
                    ("sealed " + writer + " " + seq + " " + i).getBytes(StandardCharsets.UTF_8));
            record.headers().add("sb-id", (writer + ":" + seq + ":" + i).getBytes(StandardCharsets.UTF_8));
            record.headers().add("sb-enc", ("1:k" + i).getBytes(StandardCharsets.UTF_8));
            records.add(record);
        }
        return new SpillJournal.Chunk(new WriterKey("alice", "orders", writer), seq, records);
    }

    private static List<String> describe(List<SpillJournal.Chunk> chunks) {
        return chunks.stream()
                .flatMap(chunk -> chunk.records().stream()
                        .map(record -> chunk.principal() + "|" + chunk.topic() + "|" + chunk.writerId() + "|"
                                + chunk.seq() + "|"
                                + record.partition() + "|" + record.timestamp() + "|"
                                + (record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8))
                                + "|" + new String(record.value(), StandardCharsets.UTF_8) + "|"
                                + Arrays.stream(record.headers().toArray())
                                        .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
                                        .toList()))
                .toList();
    }

    @Test
    void chunksComeBackInOrderExactlyAsWritten() throws IOException {
        List<SpillJournal.Chunk> chunks = List.of(chunk("w1", 7, 3), chunk("w2", 1, 1), chunk("w1", 8, 4));
        Path file = dir.resolve("spill/one.journal");

        SpillJournal.write(file, chunks);
        SpillJournal.Contents contents = SpillJournal.read(file);

        assertThat(contents.problem()).isEmpty();
        assertThat(contents.chunks()).extracting(SpillJournal.Chunk::seq).containsExactly(7L, 1L, 8L);
        assertThat(describe(contents.chunks())).isEqualTo(describe(chunks)).hasSize(8);
    }

    @Test
    void eachChunkKeepsItsWholeWriterKey() throws IOException {
        Path file = dir.resolve("keys.journal");
        SpillJournal.write(file, List.of(chunk("w1", 3, 1)));

        SpillJournal.Chunk read = SpillJournal.read(file).chunks().getFirst();

        assertThat(read.key()).contains(new WriterKey("alice", "orders", "w1"));
    }

    @Test
    void aVersionOneJournalIsStillReadItsChunksWithoutPrincipal() throws IOException {
        // a journal as version 1 wrote it: magic SBSPILL1, bodies without the principal
        SpillJournal.Chunk chunk = chunk("w1", 5, 2);
        byte[] v2Body = SpillJournal.encode(chunk);
        int principalBytes = 2 + "alice".length(); // writeUTF: unsigned 16-bit length, then the bytes
        byte[] v1Body = Arrays.copyOfRange(v2Body, principalBytes, v2Body.length);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v1Body);
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(SpillJournal.MAGIC_V1.length + 8 + v1Body.length)
                .put(SpillJournal.MAGIC_V1)
                .putInt(v1Body.length)
                .putInt((int) crc.getValue())
                .put(v1Body);

        SpillJournal.Contents contents = SpillJournal.read(write(dir.resolve("v1.journal"), file.array()));

        assertThat(contents.problem()).isEmpty();
        assertThat(contents.chunks()).singleElement().satisfies(read -> {
            assertThat(read.principal()).isEmpty();
            assertThat(read.key()).isEmpty();
            assertThat(read.writerId()).isEqualTo("w1");
            assertThat(read.seq()).isEqualTo(5);
            assertThat(read.records()).hasSize(2);
        });
    }

    @Test
    void anEmptyFileHoldsNothingAndIsNoProblem() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.journal"));
        assertThat(SpillJournal.read(file)).isEqualTo(new SpillJournal.Contents(List.of(), java.util.Optional.empty()));
        Path none = dir.resolve("none.journal");
        SpillJournal.write(none, List.of());
        assertThat(SpillJournal.read(none).chunks()).isEmpty();
        assertThat(SpillJournal.read(none).problem()).isEmpty();
    }

    @Test
    void aTruncatedTailIsReportedAndTheGoodPrefixKept() throws IOException {
        Path file = dir.resolve("cut.journal");
        SpillJournal.write(file, List.of(chunk("w", 1, 2), chunk("w", 2, 2)));
        byte[] whole = Files.readAllBytes(file);
        int firstEnd = SpillJournal.MAGIC.length + 8 + SpillJournal.encode(chunk("w", 1, 2)).length;

        // cut the file at every byte inside the second record: the first always survives, the cut is reported
        for (int cut = firstEnd + 1; cut < whole.length; cut++) {
            Files.write(file, Arrays.copyOf(whole, cut));
            SpillJournal.Contents contents = SpillJournal.read(file);
            assertThat(contents.chunks())
                    .as("cut at %d", cut)
                    .extracting(SpillJournal.Chunk::seq)
                    .containsExactly(1L);
            assertThat(contents.problem()).as("cut at %d", cut).get().asString().contains("truncated");
        }
        // cut exactly between records: nothing wrong, one chunk
        Files.write(file, Arrays.copyOf(whole, firstEnd));
        assertThat(SpillJournal.read(file).problem()).isEmpty();
        assertThat(SpillJournal.read(file).chunks()).hasSize(1);
    }

    @Test
    void aFlippedBitIsCaughtByTheCrcAndNothingFromThereOnIsTrusted() throws IOException {
        Path file = dir.resolve("flip.journal");
        SpillJournal.write(file, List.of(chunk("w", 1, 2), chunk("w", 2, 2), chunk("w", 3, 2)));
        byte[] whole = Files.readAllBytes(file);
        int firstEnd = SpillJournal.MAGIC.length + 8 + SpillJournal.encode(chunk("w", 1, 2)).length;
        int secondEnd = firstEnd + 8 + SpillJournal.encode(chunk("w", 2, 2)).length;

        // flip each bit of the second record's body: chunk 1 is kept, 2 and 3 are not delivered
        for (int at = firstEnd + 8; at < secondEnd; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = whole.clone();
                damaged[at] ^= (byte) (1 << bit);
                Files.write(file, damaged);
                SpillJournal.Contents contents = SpillJournal.read(file);
                assertThat(contents.chunks())
                        .as("bit %d of byte %d", bit, at)
                        .extracting(SpillJournal.Chunk::seq)
                        .containsExactly(1L);
                assertThat(contents.problem()).get().asString().contains("CRC mismatch");
            }
        }
    }

    @Test
    void aDamagedLengthIsReportedNotFollowed() throws IOException {
        Path file = dir.resolve("length.journal");
        SpillJournal.write(file, List.of(chunk("w", 1, 1), chunk("w", 2, 1)));
        byte[] damaged = Files.readAllBytes(file);
        int firstEnd = SpillJournal.MAGIC.length + 8 + SpillJournal.encode(chunk("w", 1, 1)).length;
        damaged[firstEnd] = (byte) 0x7f; // the second record's length becomes huge

        SpillJournal.Contents contents = SpillJournal.read(write(file, damaged));

        assertThat(contents.chunks()).extracting(SpillJournal.Chunk::seq).containsExactly(1L);
        assertThat(contents.problem()).get().asString().containsAnyOf("impossible record length", "truncated");
    }

    @Test
    void aFileThatIsNotAJournalIsReportedWhole() throws IOException {
        Path file = write(dir.resolve("other.journal"), "hello, world".getBytes(StandardCharsets.UTF_8));
        SpillJournal.Contents contents = SpillJournal.read(file);
        assertThat(contents.chunks()).isEmpty();
        assertThat(contents.problem()).get().asString().contains("bad magic");
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }
}
