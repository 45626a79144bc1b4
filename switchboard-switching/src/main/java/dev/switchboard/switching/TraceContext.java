package dev.switchboard.switching;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * W3C trace context ({@code traceparent}, {@code tracestate}) in and out of header maps: HTTP request headers, AMQP
 * message headers, Kafka record headers. Always the W3C propagator, not the configured one: a client's
 * {@code traceparent} travels to the backend and into Kafka even when this process exports no spans (the
 * OpenTelemetry API's no-op tracer keeps the incoming span context current, so what goes out is what came in).
 */
public final class TraceContext {
    /** The W3C header, the same name on HTTP, AMQP and Kafka records. */
    public static final String TRACEPARENT = "traceparent";

    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, ?>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, ?> carrier) {
            return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, ?> carrier, String key) {
            Object value = carrier == null ? null : carrier.get(key);
            if (value instanceof List<?> values) { // HTTP headers: name -> values
                value = values.isEmpty() ? null : values.getFirst();
            }
            return value == null ? null : value.toString(); // AMQP hands strings back as LongString
        }
    };

    private TraceContext() {}

    /** {@code parent} with the trace context these headers carry (exact, lower-case names), if any. */
    public static Context extract(Context parent, Map<String, ?> headers) {
        return headers == null ? parent : W3C.extract(parent, headers, MAP_GETTER);
    }

    /** Writes the trace context of {@code context} into {@code headers} (nothing when it has no valid span). */
    public static void inject(Context context, Map<String, Object> headers) {
        W3C.inject(context, headers, (carrier, key, value) -> carrier.put(key, value));
    }

    /** The {@code traceparent} of the span current in {@code context}, when it has a valid one. */
    public static Optional<String> traceparent(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid()) {
            return Optional.empty();
        }
        return Optional.of("00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
                + span.getTraceFlags().asHex());
    }

    /** The trace id of the span current in {@code context}, when it has a valid one. */
    public static Optional<String> traceId(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        return span.isValid() ? Optional.of(span.getTraceId()) : Optional.empty();
    }
}
