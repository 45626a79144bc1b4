package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Upgrade safety for {@code __switchboard_writers}: records written with format version 1 (key version byte 1,
 * value version byte 1 + seq) are stored under {@code src/test/resources/upgrade/v1/writers.json}, written once by
 * {@link #writeFixtures} and never regenerated. Every later version must read them as the same writer, seq and
 * partition, or a rolling upgrade would answer a writer's allocate with the wrong last committed chunk.
 */
class WriterStateFixturesTest {
    private static final Path FIXTURE = Path.of("src/test/resources/upgrade/v1/writers.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 12;

    @Test
    void storedVersion1WriterStateRecordsReadAsTheSameWriterSeqAndPartition() throws Exception {
        JsonNode records = JSON.readTree(FIXTURE.toFile()).get("records");
        assertThat(records).hasSizeGreaterThanOrEqualTo(3);
        WriterStateCodec codec = new WriterStateCodec("__switchboard_writers", PARTITIONS);

        for (JsonNode stored : records) {
            byte[] key = Base64.getDecoder().decode(stored.get("key").asText());
            byte[] value = Base64.getDecoder().decode(stored.get("value").asText());

            WriterKey writer = WriterKey.fromBytes(key).orElseThrow();
            assertThat(writer)
                    .isEqualTo(new WriterKey(
                            stored.get("principal").asText(),
                            stored.get("topic").asText(),
                            stored.get("writer-id").asText()));
            assertThat(WriterStateCodec.seq(value)).hasValue(stored.get("seq").asLong());
            assertThat(codec.partition(writer))
                    .isEqualTo(stored.get("partition").asInt());
            // and today's code still writes the same bytes for the same state
            ProducerRecord<byte[], byte[]> again =
                    codec.record(writer, stored.get("seq").asLong());
            assertThat(again.key()).isEqualTo(key);
            assertThat(again.value()).isEqualTo(value);
        }
    }

    /** Writes the fixture; run once per format version: -Dupgrade.write-fixtures=true. */
    @Test
    @EnabledIfSystemProperty(named = "upgrade.write-fixtures", matches = "true")
    void writeFixtures() throws Exception {
        WriterStateCodec codec = new WriterStateCodec("__switchboard_writers", PARTITIONS);
        ArrayNode records = JSON.createArrayNode();
        WriterKey[] writers = {
            new WriterKey("service-a", "orders", "writer-1"),
            new WriterKey("dev", "demo", "7f3c2a9e-2d4b-4c1e-9a77-0b5d1f2e3c4d"),
            new WriterKey("ünïcode principal", "topic.with-dots_and_underscores", "w:with:colons"),
        };
        long[] seqs = {1, 4_096, 2_305_843_009_213_693_951L};
        for (int i = 0; i < writers.length; i++) {
            ProducerRecord<byte[], byte[]> record = codec.record(writers[i], seqs[i]);
            ObjectNode stored = records.addObject();
            stored.put("principal", writers[i].principal());
            stored.put("topic", writers[i].topic());
            stored.put("writer-id", writers[i].writerId());
            stored.put("seq", seqs[i]);
            stored.put("partition", record.partition());
            stored.put("key", Base64.getEncoder().encodeToString(record.key()));
            stored.put("value", Base64.getEncoder().encodeToString(record.value()));
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "__switchboard_writers version 1 (key and value version byte 1), 12 partitions");
        root.set("records", records);
        JSON.writerWithDefaultPrettyPrinter().writeValue(FIXTURE.toFile(), root);
    }
}
