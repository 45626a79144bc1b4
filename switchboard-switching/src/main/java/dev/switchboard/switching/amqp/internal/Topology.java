package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import dev.switchboard.switching.TraceContext;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The AMQP objects of one shard broker, and their declaration. Both tiers declare the shared objects with the
 * same arguments (a mismatch is a channel error), all non-durable: nothing the switch carries outlives a broker
 * restart, and every node declares its objects again when it reconnects.
 */
public final class Topology {
    /** Allocation requests; consumed by every serving backend node of the shard (competing consumers). */
    public static final String ALLOCATION_QUEUE = "switchboard.alloc";
    /** Direct exchange routing session requests to a node's queue by node id. */
    public static final String NODES_EXCHANGE = "switchboard.nodes";
    /** Fanout exchange of the backend nodes' presence beats. */
    public static final String PRESENCE_EXCHANGE = "switchboard.presence";

    static final String CONTENT_TYPE = "application/x-thrift-compact";
    static final String PRESENCE_CONTENT_TYPE = "text/plain; charset=utf-8";

    private Topology() {}

    /** The exclusive, auto-delete queue of one backend node; it vanishes with the node's connection. */
    public static String nodeQueue(String nodeId) {
        return "switchboard.node." + nodeId;
    }

    /** The exclusive reply queue of one API node; {@code instance} keeps two processes with one id apart. */
    public static String replyQueue(String apiNodeId, String instance) {
        return "switchboard.reply." + apiNodeId + "." + instance;
    }

    /** Declares the exchanges every node of a shard uses. */
    static void declareExchanges(Channel channel) throws IOException {
        channel.exchangeDeclare(NODES_EXCHANGE, BuiltinExchangeType.DIRECT, false, false, null);
        channel.exchangeDeclare(PRESENCE_EXCHANGE, BuiltinExchangeType.FANOUT, false, false, null);
    }

    /** Declares the allocation queue: shared, non-exclusive, kept while no node consumes it. */
    static void declareAllocationQueue(Channel channel) throws IOException {
        channel.queueDeclare(ALLOCATION_QUEUE, false, false, false, null);
    }

    /** Declares and binds a backend node's queue. */
    static void declareNodeQueue(Channel channel, String nodeId) throws IOException {
        String queue = nodeQueue(nodeId);
        channel.queueDeclare(queue, false, true, true, null);
        channel.queueBind(queue, NODES_EXCHANGE, nodeId);
    }

    /** Properties of a request: non-persistent, answered to {@code replyTo}, dropped by the broker once stale. */
    /**
     * The header carrying a request's deadline as epoch milliseconds of the API node's clock: a backend node drops
     * a request taken off its queue after it (the {@code expiration} alone cannot say, where it is a time to live
     * counted in the broker). Nodes' clocks are assumed in sync, as the request MAC window already assumes.
     */
    static final String DEADLINE_HEADER = "sb-deadline";

    static AMQP.BasicProperties requestProperties(
            String replyTo, String correlationId, String expiration, long deadlineMillis) {
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .deliveryMode(1)
                .replyTo(replyTo)
                .correlationId(correlationId)
                .expiration(expiration)
                .headers(requestHeaders(deadlineMillis))
                .build();
    }

    /** The deadline, and the trace context of the calling thread (W3C {@code traceparent}) when it has one. */
    private static Map<String, Object> requestHeaders(long deadlineMillis) {
        Map<String, Object> headers = new HashMap<>(4);
        headers.put(DEADLINE_HEADER, deadlineMillis);
        TraceContext.inject(Context.current(), headers);
        return headers;
    }

    /** The trace context a request carries, on top of the root context (empty when it carries none). */
    static Context traceContext(AMQP.BasicProperties properties) {
        return TraceContext.extract(Context.root(), properties.getHeaders());
    }

    /** The deadline a request carries, if it does (see {@link #DEADLINE_HEADER}). */
    static OptionalLong deadline(AMQP.BasicProperties properties) {
        Object value =
                properties.getHeaders() == null ? null : properties.getHeaders().get(DEADLINE_HEADER);
        return value instanceof Number number ? OptionalLong.of(number.longValue()) : OptionalLong.empty();
    }

    static AMQP.BasicProperties replyProperties(String correlationId) {
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .deliveryMode(1)
                .correlationId(correlationId)
                .build();
    }

    /** The AMQP {@code type} of an API node's presence probe ({@link PresenceTracker#probe}). */
    static final String PROBE_TYPE = "switchboard.probe";

    /** A probe: {@code type} {@link #PROBE_TYPE}, dropped by the broker once as stale as a beat would be. */
    static AMQP.BasicProperties probeProperties(String expiration) {
        return new AMQP.BasicProperties.Builder()
                .contentType(PRESENCE_CONTENT_TYPE)
                .type(PROBE_TYPE)
                .deliveryMode(1)
                .expiration(expiration)
                .build();
    }

    /** A probe's body: when it was sent, as epoch milliseconds in ASCII. */
    static byte[] probeBody(Instant sentAt) {
        return Long.toString(sentAt.toEpochMilli()).getBytes(StandardCharsets.US_ASCII);
    }

    /** When a probe was sent; empty when its body is not a probe's. */
    static Optional<Instant> probeSentAt(byte[] body) {
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(new String(body, StandardCharsets.US_ASCII))));
        } catch (NumberFormatException | DateTimeException e) {
            return Optional.empty();
        }
    }

    static AMQP.BasicProperties presenceProperties(String expiration) {
        return new AMQP.BasicProperties.Builder()
                .contentType(PRESENCE_CONTENT_TYPE)
                .deliveryMode(1)
                .expiration(expiration)
                .build();
    }
}
