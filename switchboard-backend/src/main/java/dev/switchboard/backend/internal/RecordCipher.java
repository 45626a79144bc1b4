package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns the records a write session stages into what lands in Kafka ({@link #seal}), and consumed records back
 * into what a reader sees ({@link #open}). {@link #PLAIN} leaves records as they are; {@link EnvelopeCipher}
 * encrypts. Thread-safe.
 */
public interface RecordCipher {
    /** The header marking a sealed record: {@code <scheme version>:<data key id>}. */
    String SB_ENC = "sb-enc";

    ProducerRecord<byte[], byte[]> seal(ProducerRecord<byte[], byte[]> record);

    /**
     * The record to publish for a written event, sealed: the same as {@code seal(EventRecords.toRecord(topic, event,
     * sbId))}, which is what this default does; an implementation may seal from the event's buffers directly.
     */
    default ProducerRecord<byte[], byte[]> seal(String topic, Event event, String sbId) {
        return seal(EventRecords.toRecord(topic, event, sbId));
    }

    /** The payload and headers of a consumed record; {@link UnreadableRecordException} when it cannot be opened. */
    Opened open(ConsumerRecord<byte[], byte[]> record);

    /** A record's readable payload and headers (never the {@value #SB_ENC} header). */
    record Opened(byte[] payload, List<Header> headers) {}

    /** Why a record cannot be opened: the record's own fault, or this node's. */
    enum Fault {
        /** The record is not sealed while sealed records are required (written around Switchboard). */
        UNSEALED,
        /** The record claims to be sealed but is not a valid envelope: altered, forged, unknown key id. */
        UNDECRYPTABLE,
        /** This node cannot open it (no keystore, a data key its KMS cannot unwrap); another node may. */
        NODE
    }

    /** Thrown when a record cannot be opened; the message is safe to show a client. */
    final class UnreadableRecordException extends RuntimeException {
        private final Fault fault;
        private final String detail;

        UnreadableRecordException(Fault fault, String detail) {
            super(detail);
            this.fault = fault;
            this.detail = detail;
        }

        Fault fault() {
            return fault;
        }

        /** Why the record cannot be opened: the message, never null. */
        String detail() {
            return detail;
        }
    }

    /** No encryption: records pass unchanged; a sealed record cannot be opened. */
    RecordCipher PLAIN = new RecordCipher() {
        @Override
        public ProducerRecord<byte[], byte[]> seal(ProducerRecord<byte[], byte[]> record) {
            return record;
        }

        @Override
        public Opened open(ConsumerRecord<byte[], byte[]> record) {
            if (record.headers().lastHeader(SB_ENC) != null) {
                throw new UnreadableRecordException(
                        Fault.NODE, "the event is encrypted and this node has no keystore configured");
            }
            return clear(record);
        }
    };

    /** A record written in clear (no {@value #SB_ENC} header), as it is. */
    static Opened clear(ConsumerRecord<byte[], byte[]> record) {
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        return new Opened(record.value() == null ? new byte[0] : record.value(), headers);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
