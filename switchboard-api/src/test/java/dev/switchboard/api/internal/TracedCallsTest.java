package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.TraceContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.thrift.TException;
import org.junit.jupiter.api.Test;

class TracedCallsTest {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01";
    private static final String SESSION = "s0.n1.abc";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetry sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();

    @Test
    void aCallIsASpanUnderTheRequestsTraceparentCurrentWhileItRuns() throws Exception {
        // Given a request with a traceparent, and calls that note what is current while they run
        CallContext request = new CallContext(Map.of("Traceparent", List.of(TRACEPARENT)), "127.0.0.1");
        AtomicReference<Optional<String>> seen = new AtomicReference<>();
        Noting calls = new Noting(() -> seen.set(TraceContext.traceparent(Context.current())));

        // When a read runs through the traced calls
        new TracedCalls(calls, sdk.getTracer("test"), request).read(new ReadRequest(SESSION, 1));

        // Then one SERVER span, child of the client's, was current (so the switch forwards it); the log context
        // (session, trace_id) is checked with Logback's MDC in TracingIT
        SpanData span = spans.getFinishedSpanItems().getFirst();
        assertThat(span.getName()).isEqualTo("switchboard read");
        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(span.getParentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(seen.get()).contains("00-" + TRACE_ID + "-" + span.getSpanId() + "-01");
    }

    @Test
    void aRefusedCallEndsItsSpanWithTheErrorCode() {
        // Given calls that refuse everything as FORBIDDEN
        SwitchboardError forbidden =
                SwitchboardException.of(ErrorCode.FORBIDDEN, "no").toThrift();
        TracedCalls calls = new TracedCalls(new RejectingCalls(forbidden), sdk.getTracer("test"), CallContext.empty());

        // When a write is refused
        assertThatThrownBy(() -> calls.write(new WriteRequest(SESSION, 1, List.of())))
                .isSameAs(forbidden);

        // Then its span (a new trace: the request had no traceparent) ended as an error naming the code
        SpanData span = spans.getFinishedSpanItems().getFirst();
        assertThat(span.getName()).isEqualTo("switchboard write");
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getStatus().getDescription()).isEqualTo("forbidden");
    }

    @Test
    void withoutTracingTheRequestsOwnTraceparentStaysCurrent() throws Exception {
        // Given the no-op API (tracing not configured) and a request with a traceparent
        CallContext request = new CallContext(Map.of("traceparent", List.of(TRACEPARENT)), "127.0.0.1");
        AtomicReference<Optional<String>> seen = new AtomicReference<>();
        Noting calls = new Noting(() -> seen.set(TraceContext.traceparent(Context.current())));

        // When a read runs
        new TracedCalls(calls, OpenTelemetry.noop().getTracer("test"), request).read(new ReadRequest(SESSION, 1));

        // Then the client's own traceparent was current, to travel on unchanged
        assertThat(seen.get()).contains(TRACEPARENT);
    }

    /** Calls whose read runs {@code note} and answers an empty batch; the rest refuse. */
    private static final class Noting implements Switchboard.Iface {
        private final Runnable note;
        private final RejectingCalls others = new RejectingCalls(
                SwitchboardException.of(ErrorCode.INTERNAL, "not here").toThrift());

        Noting(Runnable note) {
            this.note = note;
        }

        @Override
        public ReadResponse read(ReadRequest request) {
            note.run();
            return new ReadResponse(request.getSeq(), List.of());
        }

        @Override
        public AllocateResponse allocate(AllocateRequest request) throws TException {
            return others.allocate(request);
        }

        @Override
        public AckResponse ack(AckRequest request) throws TException {
            return others.ack(request);
        }

        @Override
        public WriteResponse write(WriteRequest request) throws TException {
            return others.write(request);
        }

        @Override
        public CommitResponse commit(CommitRequest request) throws TException {
            return others.commit(request);
        }

        @Override
        public DisposeResponse dispose(DisposeRequest request) throws TException {
            return others.dispose(request);
        }
    }
}
