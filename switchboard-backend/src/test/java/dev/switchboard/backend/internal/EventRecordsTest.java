package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.thrift.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class EventRecordsTest {

    @Test
    void aRecordCarriesKeyPayloadHeadersTimestampAndOurSbId() {
        // Given
        Event event = new Event()
                .setKey(bytes("k"))
                .setPayload(bytes("payload"))
                .setHeaders(Map.of("trace", bytes("t1"), EventRecords.SB_ID, bytes("forged")))
                .setTimestamp(1234);

        // When
        ProducerRecord<byte[], byte[]> record = EventRecords.toRecord("orders", event, EventRecords.sbId("w1", 7, 2));

        // Then
        assertThat(record.topic()).isEqualTo("orders");
        assertThat(record.partition()).isNull();
        assertThat(record.key()).asString(StandardCharsets.UTF_8).isEqualTo("k");
        assertThat(record.value()).asString(StandardCharsets.UTF_8).isEqualTo("payload");
        assertThat(record.timestamp()).isEqualTo(1234);
        assertThat(record.headers().lastHeader("trace").value())
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("t1");
        assertThat(record.headers().headers(EventRecords.SB_ID))
                .extracting(Header::value)
                .map(value -> new String(value, StandardCharsets.UTF_8))
                .containsExactly("w1:7:2");
    }

    @Test
    void convertingDoesNotMoveTheEventsBuffers() {
        // Given
        ByteBuffer payload = bytes("payload");
        Event event = new Event().setPayload(payload);

        // When
        EventRecords.toRecord("orders", event, "w:1:0");

        // Then
        assertThat(payload.remaining()).isEqualTo(7);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
