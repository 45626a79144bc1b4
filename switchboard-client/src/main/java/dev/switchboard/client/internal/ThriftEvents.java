package dev.switchboard.client.internal;

import dev.switchboard.client.Event;
import dev.switchboard.client.ReceivedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Maps events between the public {@link Event} and the Thrift struct, and measures them. */
final class ThriftEvents {
    private ThriftEvents() {}

    static dev.switchboard.protocol.thrift.Event toThrift(Event event) {
        var thrift = new dev.switchboard.protocol.thrift.Event();
        thrift.setPayload(ByteBuffer.wrap(event.payload()));
        event.key().ifPresent(key -> thrift.setKey(ByteBuffer.wrap(key)));
        if (!event.headers().isEmpty()) {
            Map<String, ByteBuffer> headers = new LinkedHashMap<>();
            event.headers().forEach((name, value) -> headers.put(name, ByteBuffer.wrap(value)));
            thrift.setHeaders(headers);
        }
        event.timestamp().ifPresent(time -> thrift.setTimestamp(time.toEpochMilli()));
        return thrift;
    }

    /** Copies the bytes out: the answer's buffer is shared by every event of a batch. */
    static ReceivedEvent fromThrift(dev.switchboard.protocol.thrift.Event thrift) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        if (thrift.isSetHeaders()) {
            thrift.getHeaders().forEach((name, value) -> headers.put(name, bytes(value)));
        }
        Event event = new Event(
                thrift.isSetKey() ? Optional.of(bytes(thrift.bufferForKey())) : Optional.empty(),
                thrift.isSetPayload() ? bytes(thrift.bufferForPayload()) : new byte[0],
                headers,
                thrift.isSetTimestamp() ? Optional.of(Instant.ofEpochMilli(thrift.getTimestamp())) : Optional.empty());
        return new ReceivedEvent(
                event,
                thrift.isSetPartition() ? thrift.getPartition() : -1,
                thrift.isSetOffset() ? thrift.getOffset() : -1,
                Optional.ofNullable(thrift.getTraceparent()));
    }

    /**
     * The event's size as the session limits count it: the bytes of key, payload, header names (UTF-8) and
     * header values.
     */
    static long size(Event event) {
        long size = event.payload().length;
        size += event.key().map(key -> key.length).orElse(0);
        for (Map.Entry<String, byte[]> header : event.headers().entrySet()) {
            size += header.getKey().getBytes(StandardCharsets.UTF_8).length + header.getValue().length;
        }
        return size;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }
}
