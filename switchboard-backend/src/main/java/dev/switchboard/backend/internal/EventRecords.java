package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.switching.TraceContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Converts between protocol events and Kafka records, and measures them. Every written record carries the
 * header {@value #SB_ID} = {@code <writerId>:<chunkSeq>:<index>} so consumers can drop duplicates; a client's
 * own {@value #SB_ID} header (say, copied from a consumed event) is replaced, never forwarded.
 */
final class EventRecords {
    /** The de-duplication header on every event Switchboard writes. */
    static final String SB_ID = "sb-id";

    /**
     * The W3C trace context a record was written under: set by Switchboard, in clear (never sealed, so readers'
     * tracing can use it), replacing a client header of that name on unsealed records.
     */
    static final String TRACEPARENT = TraceContext.TRACEPARENT;

    private EventRecords() {}

    /** Sets the record's {@value #TRACEPARENT} header to {@code value} (one header, whatever was there). */
    static void setTraceparent(ProducerRecord<byte[], byte[]> record, byte[] value) {
        record.headers().remove(TRACEPARENT);
        record.headers().add(TRACEPARENT, value);
    }

    /** The value of the {@value #SB_ID} header for event {@code index} of chunk {@code chunkSeq}. */
    static String sbId(String writerId, long chunkSeq, int index) {
        return writerId + ":" + chunkSeq + ":" + index;
    }

    /** Bytes of an event as the limits count them: key, payload, header names and values. */
    static long sizeOf(Event event) {
        long size = remaining(event.bufferForKey()) + remaining(event.bufferForPayload());
        if (event.isSetHeaders()) {
            for (Map.Entry<String, ByteBuffer> header : event.getHeaders().entrySet()) {
                size += utf8Length(header.getKey()) + remaining(header.getValue());
            }
        }
        return size;
    }

    /** Bytes of a consumed record, counted like {@link #sizeOf(Event)}. */
    static long sizeOf(ConsumerRecord<byte[], byte[]> record) {
        long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (Header header : record.headers()) {
            size += utf8Length(header.key()) + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    /** The record to publish for an event; the event's partition and offset, if any, are ignored. */
    static ProducerRecord<byte[], byte[]> toRecord(String topic, Event event, String sbId) {
        RecordHeaders headers = new RecordHeaders();
        if (event.isSetHeaders()) {
            event.getHeaders().forEach((name, value) -> {
                if (!SB_ID.equals(name)) {
                    headers.add(name, value == null ? null : bytes(value));
                }
            });
        }
        headers.add(SB_ID, sbId.getBytes(StandardCharsets.UTF_8));
        Long timestamp = event.isSetTimestamp() ? event.getTimestamp() : null;
        byte[] key = event.isSetKey() ? bytes(event.bufferForKey()) : null;
        return new ProducerRecord<>(topic, null, timestamp, key, bytes(event.bufferForPayload()), headers);
    }

    /** The event a read returns for a consumed record whose readable payload and headers are given. */
    static Event fromRecord(ConsumerRecord<byte[], byte[]> record, byte[] payload, List<Header> headers) {
        Event event = new Event();
        event.setPayload(ByteBuffer.wrap(payload));
        if (record.key() != null) {
            event.setKey(ByteBuffer.wrap(record.key()));
        }
        Map<String, ByteBuffer> values = new HashMap<>();
        for (Header header : headers) {
            values.put(header.key(), ByteBuffer.wrap(header.value() == null ? new byte[0] : header.value()));
        }
        event.setHeaders(values);
        Header traceparent = record.headers().lastHeader(TRACEPARENT);
        if (traceparent != null && traceparent.value() != null) {
            event.setTraceparent(new String(traceparent.value(), StandardCharsets.UTF_8));
        }
        event.setTimestamp(record.timestamp());
        event.setPartition(record.partition());
        event.setOffset(record.offset());
        return event;
    }

    /** A copy of the buffer's remaining bytes, leaving the buffer untouched. */
    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    private static int remaining(ByteBuffer buffer) {
        return buffer == null ? 0 : buffer.remaining();
    }

    private static int utf8Length(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
