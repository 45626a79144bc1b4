package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.LocalKeyManagementService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Envelope versions 1 and 2: which one a record gets, that both open, and that neither opens as the other. */
class EnvelopeCipherTest {
    private static final String JSON = "{\"order\":17,\"lines\":[" + "{\"sku\":\"A-1\",\"qty\":1},".repeat(60) + "{}]}";

    @TempDir
    Path dir;

    private DataKeys keys;

    @BeforeEach
    void keys() throws Exception {
        LocalKeyManagementService kms =
                LocalKeyManagementService.open(dir.resolve("kek.p12"), "test-password".toCharArray(), true);
        keys = new DataKeys(kms, DataKeyStore.inMemory(), Duration.ofHours(1), 1 << 20, Clock.systemUTC());
    }

    private static ProducerRecord<byte[], byte[]> record(byte[] payload) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventRecords.SB_ID, "w:1:0".getBytes(StandardCharsets.UTF_8));
        headers.add("app", "checkout".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>("orders", null, "k".getBytes(StandardCharsets.UTF_8), payload, headers);
    }

    private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> sealed) {
        return new ConsumerRecord<>(
                sealed.topic(),
                0,
                0,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                sealed.key(),
                sealed.value(),
                sealed.headers(),
                Optional.empty());
    }

    private static String scheme(ProducerRecord<byte[], byte[]> sealed) {
        return new String(sealed.headers().lastHeader(RecordCipher.SB_ENC).value(), StandardCharsets.UTF_8)
                .split(":")[0];
    }

    @Test
    void aCompressibleEventIsSealedAsVersion2SmallerAndOpensToTheSameEvent() {
        EnvelopeCipher cipher = new EnvelopeCipher(keys, true, false, true);
        byte[] payload = JSON.getBytes(StandardCharsets.UTF_8);

        ProducerRecord<byte[], byte[]> sealed = cipher.seal(record(payload));

        assertThat(scheme(sealed)).isEqualTo("2");
        assertThat(sealed.value().length).isLessThan(payload.length / 2);
        RecordCipher.Opened opened = cipher.open(consumed(sealed));
        assertThat(opened.payload()).isEqualTo(payload);
        assertThat(opened.headers()).anySatisfy(h -> assertThat(h.key()).isEqualTo("app"));
        // and a node that does not compress opens it too
        assertThat(new EnvelopeCipher(keys, true).open(consumed(sealed)).payload())
                .isEqualTo(payload);
    }

    @Test
    void randomOrShortEventsAndACipherThatDoesNotCompressWriteVersion1() {
        EnvelopeCipher compressing = new EnvelopeCipher(keys, true, false, true);
        byte[] random = new byte[1024];
        new Random(1).nextBytes(random);

        assertThat(scheme(compressing.seal(record(random)))).isEqualTo("1");
        assertThat(scheme(compressing.seal(record("aaaaaaaa".getBytes(StandardCharsets.UTF_8)))))
                .isEqualTo("1");
        ProducerRecord<byte[], byte[]> plainly =
                new EnvelopeCipher(keys, true, false, false).seal(record(JSON.getBytes(StandardCharsets.UTF_8)));
        assertThat(scheme(plainly)).isEqualTo("1");
        assertThat(compressing.open(consumed(plainly)).payload()).isEqualTo(JSON.getBytes(StandardCharsets.UTF_8));
        assertThat(compressing.open(consumed(compressing.seal(record(random)))).payload())
                .isEqualTo(random);
    }

    @Test
    void aRecordThatLz4ShrinksByLessThanAFifthIsSealedAsVersion1() {
        // a payload LZ4 shrinks by about 15%: more than the eighth that once counted as paying, less than a fifth
        byte[] payload = new byte[1024];
        new Random(3).nextBytes(payload);
        java.util.Arrays.fill(payload, 850, payload.length, (byte) 0);
        int lz4 = net.jpountz.lz4.LZ4Factory.safeInstance().fastCompressor().compress(payload).length;
        assertThat(lz4).isBetween(payload.length * 82 / 100, payload.length * 86 / 100);
        EnvelopeCipher cipher = new EnvelopeCipher(keys, true, false, true);

        ProducerRecord<byte[], byte[]> sealed = cipher.seal(record(payload));

        assertThat(scheme(sealed)).isEqualTo("1");
        assertThat(cipher.open(consumed(sealed)).payload()).isEqualTo(payload);
    }

    @Test
    void afterARecordThatDidNotCompressTheTopicsNextHundredAreNotTried() {
        EnvelopeCipher cipher = new EnvelopeCipher(keys, true, false, true);
        byte[] random = new byte[1024];
        new Random(2).nextBytes(random);
        byte[] json = JSON.getBytes(StandardCharsets.UTF_8);

        // a random payload does not pay: the next 100 records of its topic are sealed as version 1 untried
        assertThat(scheme(cipher.seal(record(random)))).isEqualTo("1");
        for (int i = 0; i < 100; i++) {
            ProducerRecord<byte[], byte[]> skipped = cipher.seal(record(json));
            assertThat(scheme(skipped)).as("record %d after", i).isEqualTo("1");
            assertThat(cipher.open(consumed(skipped)).payload()).isEqualTo(json);
        }
        // then compressing is tried again, and pays
        assertThat(scheme(cipher.seal(record(json)))).isEqualTo("2");
        assertThat(scheme(cipher.seal(record(json)))).isEqualTo("2");
    }

    @Test
    void aVersion2ValueRelabelledAsVersion1OrAlteredDoesNotOpen() {
        EnvelopeCipher cipher = new EnvelopeCipher(keys, true, false, true);
        ProducerRecord<byte[], byte[]> sealed = cipher.seal(record(JSON.getBytes(StandardCharsets.UTF_8)));
        String marker =
                new String(sealed.headers().lastHeader(RecordCipher.SB_ENC).value(), StandardCharsets.UTF_8);

        RecordHeaders relabelled = new RecordHeaders();
        relabelled.add(RecordCipher.SB_ENC, ("1" + marker.substring(1)).getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> downgraded =
                new ProducerRecord<>(sealed.topic(), null, sealed.key(), sealed.value(), relabelled);
        assertThatThrownBy(() -> cipher.open(consumed(downgraded)))
                .isInstanceOfSatisfying(
                        RecordCipher.UnreadableRecordException.class,
                        e -> assertThat(e.fault()).isEqualTo(RecordCipher.Fault.UNDECRYPTABLE));

        byte[] altered = sealed.value().clone();
        altered[20] ^= 1;
        ProducerRecord<byte[], byte[]> tampered =
                new ProducerRecord<>(sealed.topic(), null, sealed.key(), altered, sealed.headers());
        assertThatThrownBy(() -> cipher.open(consumed(tampered)))
                .isInstanceOf(RecordCipher.UnreadableRecordException.class)
                .hasMessageContaining("authentication failed");
    }
}
