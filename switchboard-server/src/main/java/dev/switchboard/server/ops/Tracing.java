package dev.switchboard.server.ops;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's OpenTelemetry: with {@code tracing.otlp-endpoint} set, the SDK with a batching OTLP/HTTP exporter (sent
 * by the JDK's HTTP client); without it, the API's no-op implementation, so no span is made and nothing is
 * exported, and a request's {@code traceparent} still travels on. Closing flushes what the batch holds.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Tracing.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_INSTANCE = AttributeKey.stringKey("service.instance.id");

    private final OpenTelemetry openTelemetry;
    private final Optional<OpenTelemetrySdk> sdk;

    private Tracing(OpenTelemetry openTelemetry, Optional<OpenTelemetrySdk> sdk) {
        this.openTelemetry = openTelemetry;
        this.sdk = sdk;
    }

    /** No spans: the no-op API. */
    public static Tracing none() {
        return new Tracing(OpenTelemetry.noop(), Optional.empty());
    }

    /** Spans of service {@code switchboard-<role>}, instance {@code nodeId}, exported to {@code endpoint} if set. */
    public static Tracing configure(Optional<URI> endpoint, String role, String nodeId) {
        if (endpoint.isEmpty()) {
            return none();
        }
        LOGGER.info("tracing on otlp-endpoint={} node={}", endpoint.get(), nodeId);
        return exportingTo(
                OtlpHttpSpanExporter.builder()
                        .setEndpoint(endpoint.get().toString())
                        .build(),
                role,
                nodeId);
    }

    /** Spans handed to {@code exporter} in batches (tests give an in-memory one). */
    public static Tracing exportingTo(SpanExporter exporter, String role, String nodeId) {
        Resource resource = Resource.getDefault()
                .merge(Resource.create(Attributes.of(SERVICE_NAME, "switchboard-" + role, SERVICE_INSTANCE, nodeId)));
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
                .setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        OpenTelemetrySdk sdk =
                OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
        return new Tracing(sdk, Optional.of(sdk));
    }

    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /** Hands every ended span to the exporter now (tests; a node's batches go out on their own). */
    public void flush() {
        sdk.ifPresent(value ->
                value.getSdkTracerProvider().forceFlush().join(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Exports what is batched (within a few seconds) and stops. */
    @Override
    public void close() {
        sdk.ifPresent(value -> value.shutdown().join(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
