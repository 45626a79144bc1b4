package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.backend.LocalKeyManagementService;
import dev.switchboard.core.cursor.Cursor;
import dev.switchboard.core.cursor.CursorCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upgrade safety: what this version stored, read by the code of every later version. The fixtures under
 * {@code src/test/resources/upgrade/v1/} were written once by {@link #writeFixtures} with the code of format
 * version 1 (cursor version byte 1, keys topic record version 1, envelope scheme "1") and are never regenerated:
 * a change that can no longer read them breaks clusters that are upgraded node by node (an old node's cursor
 * reaching a new node, records and data keys written before the upgrade). A new format gets a new fixture
 * directory beside this one; this one stays. {@code upgrade/v2/} adds envelope scheme "2" (LZ4 before AES-GCM)
 * beside records of scheme "1"; both directories are read by every test.
 */
class UpgradeFixturesTest {
    private static final Path UPGRADE = Path.of("src/test/resources/upgrade");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void aStoredVersion1CursorStillDecodes(String version) throws Exception {
        Path fixtureDir = UPGRADE.resolve(version);
        JsonNode fixtures = JSON.readTree(fixtureDir.resolve("fixtures.json").toFile());
        JsonNode cursor = fixtures.get("cursor");
        CursorCodec codec = new CursorCodec(
                HexFormat.of().parseHex(fixtures.get("cluster-secret-hex").asText()));

        Cursor decoded = codec.decode(cursor.get("text").asText());

        assertThat(decoded.topic()).isEqualTo(cursor.get("topic").asText());
        Map<Integer, Long> offsets = new TreeMap<>();
        cursor.get("offsets")
                .fields()
                .forEachRemaining(e ->
                        offsets.put(Integer.valueOf(e.getKey()), e.getValue().asLong()));
        assertThat(decoded.offsets()).isEqualTo(offsets);
        // and it is still the encoding: a node of this version hands out the same text for the same position
        assertThat(codec.encode(decoded)).isEqualTo(cursor.get("text").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void storedRecordsOpenWithTheirStoredDataKeys(String version) throws Exception {
        Path fixtureDir = UPGRADE.resolve(version);
        JsonNode fixtures = JSON.readTree(fixtureDir.resolve("fixtures.json").toFile());
        LocalKeyManagementService kms = LocalKeyManagementService.open(
                fixtureDir.resolve("kek.p12"),
                fixtures.get("keystore-password").asText().toCharArray(),
                false);
        Map<String, byte[]> keysTopic = new LinkedHashMap<>();
        fixtures.get("keys-topic").fields().forEachRemaining(e -> keysTopic.put(e.getKey(), base64(e.getValue())));
        DataKeys keys = new DataKeys(kms, new StoredKeys(keysTopic), Duration.ofHours(24), 1 << 24, Clock.systemUTC());
        EnvelopeCipher cipher = new EnvelopeCipher(keys, true);
        java.util.Set<String> schemes = new java.util.TreeSet<>();

        for (JsonNode stored : fixtures.get("records")) {
            RecordHeaders headers = new RecordHeaders();
            stored.get("headers").fields().forEachRemaining(e -> headers.add(e.getKey(), base64(e.getValue())));
            ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(
                    stored.get("topic").asText(),
                    0,
                    stored.get("offset").asLong(),
                    0L,
                    TimestampType.CREATE_TIME,
                    -1,
                    -1,
                    base64(stored.get("key")),
                    base64(stored.get("value")),
                    headers,
                    Optional.empty());

            RecordCipher.Opened opened = cipher.open(record);

            assertThat(new String(opened.payload(), StandardCharsets.UTF_8))
                    .isEqualTo(stored.get("payload").asText());
            Map<String, String> readable = new LinkedHashMap<>();
            for (Header header : opened.headers()) {
                readable.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            Map<String, String> expected = new LinkedHashMap<>();
            stored.get("readable-headers")
                    .fields()
                    .forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asText()));
            assertThat(readable).containsAllEntriesOf(expected);
            String scheme =
                    new String(headers.lastHeader(RecordCipher.SB_ENC).value(), StandardCharsets.UTF_8).split(":")[0];
            schemes.add(scheme);
        }
        // v2 holds a compressed (scheme 2) record beside uncompressible ones (scheme 1)
        assertThat(schemes).isEqualTo(version.equals("v1") ? java.util.Set.of("1") : java.util.Set.of("1", "2"));
    }

    /**
     * Writes the fixtures with this version's code. Run once per new format version, into a new directory:
     * {@code ./mvnw -pl switchboard-backend -am test -Dtest=UpgradeFixturesTest -Dupgrade.fixtures.write=DIR
     * -Dsurefire.failIfNoSpecifiedTests=false}; never over an existing version's fixtures.
     */
    @Test
    @EnabledIfSystemProperty(named = "upgrade.fixtures.write", matches = ".+")
    void writeFixtures() throws Exception {
        Path dir = Path.of(System.getProperty("upgrade.fixtures.write"));
        Files.createDirectories(dir);
        String password = "fixture-only-not-a-secret";
        LocalKeyManagementService kms =
                LocalKeyManagementService.open(dir.resolve("kek.p12"), password.toCharArray(), true);
        Map<String, byte[]> keysTopic = new LinkedHashMap<>();
        DataKeys keys = new DataKeys(kms, new StoredKeys(keysTopic), Duration.ofHours(24), 1 << 24, Clock.systemUTC());
        EnvelopeCipher cipher = new EnvelopeCipher(keys, true, false, true);
        byte[] secret = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

        ObjectNode root = JSON.createObjectNode();
        root.put("format", "cursor v1, keys topic record v1, envelope schemes 1 and 2 (LZ4)");
        root.put("cluster-secret-hex", HexFormat.of().formatHex(secret));
        root.put("keystore-password", password);
        Cursor cursor = Cursor.of("orders", Map.of(0, 42L, 1, 7L, 2, 0L));
        ObjectNode cursorNode = root.putObject("cursor");
        cursorNode.put("text", new CursorCodec(secret).encode(cursor));
        cursorNode.put("topic", cursor.topic());
        ObjectNode offsets = cursorNode.putObject("offsets");
        cursor.offsets().forEach((partition, offset) -> offsets.put(partition.toString(), offset));
        var records = root.putArray("records");
        int offset = 0;
        String compressible = "{\"order\":17,\"total\":\"12.50\",\"lines\":["
                + "{\"sku\":\"A-1\",\"qty\":1},".repeat(40) + "{\"sku\":\"B-2\",\"qty\":2}]}";
        for (String payload : new String[] {"hello, version 2", "{\"order\":17,\"total\":\"12.50\"}", compressible}) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(EventRecords.SB_ID, ("w-1:" + offset).getBytes(StandardCharsets.UTF_8));
            headers.add("app", "checkout".getBytes(StandardCharsets.UTF_8));
            ProducerRecord<byte[], byte[]> sealed = cipher.seal(new ProducerRecord<>(
                    "orders",
                    null,
                    ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                    payload.getBytes(StandardCharsets.UTF_8),
                    headers));
            ObjectNode record = records.addObject();
            record.put("topic", sealed.topic());
            record.put("offset", offset++);
            record.put("key", Base64.getEncoder().encodeToString(sealed.key()));
            record.put("value", Base64.getEncoder().encodeToString(sealed.value()));
            ObjectNode stored = record.putObject("headers");
            for (Header header : sealed.headers()) {
                stored.put(header.key(), Base64.getEncoder().encodeToString(header.value()));
            }
            record.put("payload", payload);
            record.putObject("readable-headers").put("app", "checkout");
        }
        ObjectNode keysNode = root.putObject("keys-topic");
        keysTopic.forEach((id, value) -> keysNode.put(id, Base64.getEncoder().encodeToString(value)));
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("fixtures.json").toFile(), root);
    }

    private static byte[] base64(JsonNode node) {
        return Base64.getDecoder().decode(node.asText());
    }

    /** The keys topic as stored records: key id -> record value. */
    private record StoredKeys(Map<String, byte[]> records) implements DataKeyStore {
        @Override
        public void publish(String keyId, byte[] value) {
            records.put(keyId, value);
        }

        @Override
        public Map<String, byte[]> readToEnd() {
            return Map.copyOf(records);
        }

        @Override
        public void close() {}
    }
}
