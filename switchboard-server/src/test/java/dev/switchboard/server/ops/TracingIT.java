package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.client.Batch;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.standalone.DevIssuer;
import dev.switchboard.server.standalone.Standalone;
import dev.switchboard.testkit.ThriftOverHttp;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Tracing on a standalone whose spans go to an in-memory exporter: a W3C {@code traceparent} sent with a write
 * ends up (as the backend span's context, same trace) in a clear {@code traceparent} header of every Kafka record
 * the write made, and back on each event a read returns; both tiers make a span per call (allocate, write,
 * commit, read), the backend's a child of the API node's, the API node's a child of the client's.
 */
public class TracingIT {
    private static final String TOPIC = "traced-orders";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01";
    private static final int EVENTS = 3;

    @TempDir
    static Path dataDir;

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static Tracing tracing;
    private static Standalone standalone;

    @BeforeAll
    static void start() throws Exception {
        tracing = Tracing.exportingTo(SPANS, "standalone", "n1");
        standalone = Standalone.start(
                NodeConfig.builder()
                        .value(ConfigKeys.DATA_DIR, dataDir, "test")
                        .value(ConfigKeys.PORT, 0, "test")
                        .build(),
                tracing);
    }

    @AfterAll
    static void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void aTraceparentTravelsIntoKafkaAndBackToReaders() throws Exception {
        ListAppender<ILoggingEvent> logs =
                captureDebug("dev.switchboard.api.internal.SwitchboardCalls", "dev.switchboard.backend.BackendNode");
        // Given a writer whose calls carry the client's traceparent
        String token = DevIssuer.load(dataDir)
                .mint(
                        "tracer",
                        List.of("switchboard:write:" + TOPIC, "switchboard:read:" + TOPIC),
                        Duration.ofHours(1));
        ThriftOverHttp writer =
                ThriftOverHttp.authorised(standalone.uri(), token).withHeader("traceparent", TRACEPARENT);

        // When it writes three events and commits
        AllocateResponse session = writer.allocate(new AllocateRequest(TOPIC, SessionMode.WRITE));
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(new Event(ByteBuffer.wrap(("event-" + i).getBytes(StandardCharsets.UTF_8))));
        }
        writer.write(new WriteRequest(session.getSessionId(), 1, events));
        writer.commit(new CommitRequest(session.getSessionId(), 1));

        // Then every record in Kafka carries a clear traceparent of the client's trace, made by a Switchboard span
        List<ConsumerRecord<byte[], byte[]>> records = readTopic(EVENTS);
        assertThat(records).hasSize(EVENTS);
        List<String> written = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Header header = record.headers().lastHeader("traceparent");
            assertThat(header).as("traceparent header of %s", record).isNotNull();
            String value = new String(header.value(), StandardCharsets.UTF_8);
            assertThat(value).matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01").isNotEqualTo(TRACEPARENT);
            assertThat(new String(record.value(), StandardCharsets.ISO_8859_1)).doesNotContain(value); // not sealed in
            written.add(value);
        }

        // And a reader gets the same traceparent back on each event
        ThriftOverHttp reader = ThriftOverHttp.authorised(standalone.uri(), token);
        AllocateResponse readSession = reader.allocate(new AllocateRequest(TOPIC, SessionMode.READ));
        List<Event> read = new ArrayList<>();
        long[] seq = {1};
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ReadRequest request = new ReadRequest(readSession.getSessionId(), seq[0]);
            request.setMaxWaitMs(1000);
            ReadResponse response = reader.read(request);
            if (!response.getEvents().isEmpty()) {
                read.addAll(response.getEvents());
                reader.ack(new AckRequest(readSession.getSessionId(), seq[0]));
                seq[0]++;
            }
            return read.size() >= EVENTS;
        });
        assertThat(read).extracting(Event::getTraceparent).containsExactlyElementsOf(written);

        // And the calls' log lines (both tiers) carried the session and the trace id in their log context
        assertThat(logs.list)
                .filteredOn(line ->
                        session.getSessionId().equals(line.getMDCPropertyMap().get("session")))
                .extracting(line -> line.getMDCPropertyMap().get("trace_id"))
                .hasSizeGreaterThanOrEqualTo(4)
                .containsOnly(TRACE_ID);

        // And both tiers made a span per call: the API node's a child of the client's, the backend's of the API's
        tracing.flush();
        List<SpanData> spans = SPANS.getFinishedSpanItems();
        for (String call : List.of("allocate", "write", "commit")) {
            SpanData api = span(spans, "switchboard " + call, TRACE_ID);
            assertThat(api.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(api.getParentSpanId()).isEqualTo(CLIENT_SPAN);
            SpanData backend = span(spans, "switchboard.backend " + call, TRACE_ID);
            assertThat(backend.getParentSpanId()).isEqualTo(api.getSpanId());
        }
        SpanData backendWrite = span(spans, "switchboard.backend write", TRACE_ID);
        assertThat(written).allMatch(value -> value.contains("-" + backendWrite.getSpanId() + "-"));
        // a read without a traceparent starts a trace of its own, on both tiers
        SpanData apiRead = spans.stream()
                .filter(span -> span.getName().equals("switchboard read"))
                .findFirst()
                .orElseThrow();
        assertThat(apiRead.getTraceId()).isNotEqualTo(TRACE_ID);
        assertThat(span(spans, "switchboard.backend read", apiRead.getTraceId()).getParentSpanId())
                .isEqualTo(apiRead.getSpanId());
    }

    @Test
    void theSdkGivesEveryCallATraceparentOfItsOwn() throws Exception {
        // Given an application that does no tracing: the SDK's calls carry no traceparent of the application's
        String topic = "untraced-orders";
        String token = DevIssuer.load(dataDir)
                .mint("sdk", List.of("switchboard:write:" + topic, "switchboard:read:" + topic), Duration.ofHours(1));
        try (SwitchboardClient client = SwitchboardClient.builder()
                .urls(List.of(standalone.uri()))
                .token(token)
                .build()) {
            // When it publishes two batches and reads them back
            try (Publisher publisher = client.publisher(PublisherOptions.of(topic))) {
                publisher.publish(List.of(dev.switchboard.client.Event.of("a"), dev.switchboard.client.Event.of("b")));
                publisher.publish(List.of(dev.switchboard.client.Event.of("c")));
            }
            List<ReceivedEvent> received = new ArrayList<>();
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of(topic))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Batch batch = subscriber.poll(10, Duration.ofMillis(500));
                    received.addAll(batch.events());
                    subscriber.ack(batch);
                    return received.size() >= 3;
                });
            }

            // Then every event names the trace of the call that wrote it: the SDK made one per call
            assertThat(received)
                    .allSatisfy(event -> assertThat(event.traceparent())
                            .hasValueSatisfying(value -> assertThat(value).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")));
            List<String> traces = received.stream()
                    .map(event -> event.traceparent().orElseThrow().substring(3, 35))
                    .distinct()
                    .toList();
            assertThat(traces).hasSize(2); // two publish calls, each one write call: two traces
            // and the trace came from the SDK: the API node's span of each write is a child of the SDK's context
            // (without one, the API node would have started a root span of its own)
            tracing.flush();
            List<SpanData> spans = SPANS.getFinishedSpanItems();
            for (String trace : traces) {
                assertThat(span(spans, "switchboard write", trace)
                                .getParentSpanContext()
                                .isRemote())
                        .isTrue();
            }
        }
    }

    /** A list appender on {@code loggers} at DEBUG (Logback: the executable's logging backend). */
    private static ListAppender<ILoggingEvent> captureDebug(String... loggers) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        for (String name : loggers) {
            Logger logger = context.getLogger(name);
            logger.setLevel(Level.DEBUG);
            logger.addAppender(appender);
        }
        return appender;
    }

    private static SpanData span(List<SpanData> spans, String name, String traceId) {
        return spans.stream()
                .filter(span -> span.getName().equals(name) && span.getTraceId().equals(traceId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in trace " + traceId + ": " + spans));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readTopic(int expected) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, standalone.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "tracing-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }
}
