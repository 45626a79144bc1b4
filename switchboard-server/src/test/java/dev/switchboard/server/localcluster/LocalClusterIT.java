package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Guarantee;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.core.routing.RendezvousHashing;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.server.ops.HeadlessChromium;
import dev.switchboard.server.ops.OperationsIT;
import dev.switchboard.server.ops.PrometheusText;
import dev.switchboard.server.standalone.DevIssuer;
import dev.switchboard.testkit.AmqpExtension;
import dev.switchboard.testkit.ThriftOverHttp;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local cluster of 2 shards x 2 backend nodes x 2 API nodes, every node a separate JVM started by
 * {@code switchboard local-cluster} from the packaged application, over the test's AMQP broker (one virtual host
 * per shard, so it runs on RabbitMQ and on the embedded Qpid broker alike). The tests share the cluster and each
 * kills at most one node, in a fixed order. The cluster is secure by default, so the clients present the
 * development token local-cluster wrote, and a test checks that no token, no MAC, and plain Kafka reads get
 * nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
    private static final int TOPICS_PER_SHARD = 2;
    private static final int EVENTS_PER_TOPIC = 6_000;
    private static final int CHUNK = 200;

    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @TempDir
    static Path workDir;

    private static RunningCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        URI s0 = AMQP.newVirtualHost();
        URI s1 = AMQP.newVirtualHost();
        cluster = RunningCluster.start(
                workDir,
                "--shards",
                "2",
                "--backends",
                "2",
                "--apis",
                "2",
                "--amqp",
                s0.toString(),
                "--amqp",
                s1.toString());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void clusterFileListsEveryProcess() {
        assertThat(cluster.members("kafka")).hasSize(1);
        assertThat(cluster.members("backend"))
                .extracting(RunningCluster.Member::shard)
                .containsExactlyInAnyOrder("s0", "s0", "s1", "s1");
        assertThat(cluster.members("api")).hasSize(2);
        assertThat(cluster.members("backend"))
                .allSatisfy(member -> assertThat(ProcessHandle.of(member.pid())).isPresent());
        // every API node also serves the binary TCP transport, and cluster.json says where
        assertThat(cluster.apiTcpUrls())
                .hasSize(2)
                .allSatisfy(url -> assertThat(url.getScheme()).isEqualTo("sb"));
        String topic = "over-tcp-" + UUID.randomUUID();
        try (SwitchboardClient client = client(cluster.apiTcpUrls());
                Publisher publisher = client.publisher(PublisherOptions.of(topic));
                Subscriber subscriber = client.subscriber(SubscriberOptions.of(topic))) {
            publisher.publish(List.of(Event.of("over sb://")));
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                subscriber.poll(10, Duration.ofSeconds(1)).events().forEach(e -> received.add(e.payloadAsString()));
                return !received.isEmpty();
            });
            assertThat(received).containsExactly("over sb://");
        }
    }

    @Test
    @Order(2)
    void securedByDefaultNoTokenNoMacAndNoPlaintextInKafka() throws Exception {
        URI api = cluster.apiUrls().getFirst();

        // No token: allocate is UNAUTHENTICATED
        assertThatThrownBy(() -> new ThriftOverHttp(api).allocate(new AllocateRequest("secured", SessionMode.WRITE)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED));

        // A real session, but a call without its MAC (say, a guessed or sniffed session id): UNAUTHENTICATED
        ThriftOverHttp.authorised(api, cluster.devToken())
                .allocate(new AllocateRequest("secured", SessionMode.WRITE)); // a writer creates the topic
        AllocateResponse session = ThriftOverHttp.authorised(api, cluster.devToken())
                .allocate(new AllocateRequest("secured", SessionMode.READ));
        assertThat(session.isSetMacKey()).isTrue();
        assertThatThrownBy(() -> new ThriftOverHttp(api).read(new ReadRequest(session.getSessionId(), 1)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED));

        // A token of the cluster's development issuer, minted as `switchboard token --data-dir` does, is checked
        // for its scopes: reading only is FORBIDDEN to write
        String reader =
                DevIssuer.load(cluster.dataDir()).mint("it", List.of("switchboard:read:*"), Duration.ofMinutes(5));
        assertThatThrownBy(() -> ThriftOverHttp.authorised(api, reader)
                        .allocate(new AllocateRequest("secured", SessionMode.WRITE)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.FORBIDDEN));

        // An event produced with the dev token is stored sealed: a plain Kafka consumer sees its key, not its
        // payload or header value
        String topic = "secured-" + UUID.randomUUID();
        String secretText = "plaintext-" + UUID.randomUUID();
        try (SwitchboardClient client = client(List.of(api));
                Publisher publisher = client.publisher(PublisherOptions.of(topic))) {
            publisher.publish(List.of(Event.builder()
                    .key("clear-key")
                    .payload(secretText)
                    .header("note", secretText)
                    .build()));
        }
        List<ConsumerRecord<byte[], byte[]>> records = rawRecords(topic, 1);
        assertThat(records).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = records.getFirst();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("clear-key");
        assertThat(new String(record.value(), StandardCharsets.ISO_8859_1)).doesNotContain(secretText);
        for (Header header : record.headers()) {
            assertThat(new String(header.value(), StandardCharsets.ISO_8859_1))
                    .as("header %s", header.key())
                    .doesNotContain(secretText);
        }
    }

    @Test
    @Order(2)
    void aTraceparentCrossesTheAmqpSwitchIntoKafkaAndTheApiNodesAudit() throws Exception {
        // Given a client inside a trace, on one API node of the cluster (no exporter: the no-op API passes it on)
        URI api = cluster.apiUrls().getFirst();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
        String topic = "traced-" + UUID.randomUUID();
        ThriftOverHttp writer =
                ThriftOverHttp.authorised(api, cluster.devToken()).withHeader("traceparent", traceparent);

        // When it writes an event through the AMQP switch, and an allocate without a token is refused
        AllocateResponse session = writer.allocate(new AllocateRequest(topic, SessionMode.WRITE));
        writer.write(new dev.switchboard.protocol.thrift.WriteRequest(
                session.getSessionId(),
                1,
                List.of(new dev.switchboard.protocol.thrift.Event(
                        java.nio.ByteBuffer.wrap("traced".getBytes(StandardCharsets.UTF_8))))));
        writer.commit(new dev.switchboard.protocol.thrift.CommitRequest(session.getSessionId(), 1));
        assertThatThrownBy(() -> new ThriftOverHttp(api).allocate(new AllocateRequest(topic, SessionMode.READ)))
                .isInstanceOf(SwitchboardError.class);

        // Then the record in Kafka carries the client's traceparent in clear, and a reader gets it back
        ConsumerRecord<byte[], byte[]> record = rawRecords(topic, 1).getFirst();
        assertThat(new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo(traceparent);
        ThriftOverHttp reader = ThriftOverHttp.authorised(api, cluster.devToken());
        AllocateResponse readSession = reader.allocate(new AllocateRequest(topic, SessionMode.READ));
        ReadRequest read = new ReadRequest(readSession.getSessionId(), 1);
        read.setMaxWaitMs(5000);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(reader.read(read).getEvents())
                        .extracting(dev.switchboard.protocol.thrift.Event::getTraceparent)
                        .containsExactly(traceparent));

        // And the API node wrote both allocates to the audit topic, the granted one with the trace id
        List<String> audit = new ArrayList<>();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "audit-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of("__switchboard_audit"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> line : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = new ObjectMapper().readTree(line.value());
                    if (topic.equals(event.path("topic").asText())) {
                        audit.add(event.path("event").asText() + " "
                                + event.path("outcome").asText() + " "
                                + event.path("node").asText().startsWith("api-") + " "
                                + event.path("trace_id").asText());
                    }
                }
                assertThat(audit).contains("allocate ok true " + traceId, "allocate unauthenticated true ");
            });
        }
    }

    private static boolean topicExists(String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrapServers()))) {
            return admin.listTopics().names().get().contains(topic);
        }
    }

    /** What a plain Kafka consumer on the cluster's Kafka reads from {@code topic}, from the beginning. */
    private static List<ConsumerRecord<byte[], byte[]>> rawRecords(String topic, int atLeast) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    @Order(3)
    void aForgedShardOrNodeIsALostSessionAndTheNodeStaysHealthy() throws Exception {
        URI api = cluster.apiUrls().getFirst();
        // signed as an API node would sign them, with the cluster secret: the MAC is right, the routing is not
        ThriftOverHttp thrift = new ThriftOverHttp(api);
        byte[] secret = cluster.clusterSecret();

        // an unknown shard, and a known shard with an unknown node
        for (String forged : List.of("s9.backend-s0-1.AAAAAAAAAAAAAAAAAAAAAA", "s0.ghost.AAAAAAAAAAAAAAAAAAAAAA")) {
            thrift.withMacKey(forged, RequestMac.sessionKey(secret, forged));
            assertThatThrownBy(() -> thrift.read(new ReadRequest(forged, 1)))
                    .as(forged)
                    .isInstanceOfSatisfying(
                            SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.SESSION_LOST));
        }
        // a session id that is no session id at all
        thrift.withMacKey("not-a-session", RequestMac.sessionKey(secret, "not-a-session"));
        assertThatThrownBy(() -> thrift.read(new ReadRequest("not-a-session", 1)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST));

        assertThat(thrift.get("/health/ready").statusCode()).isEqualTo(200);
        try (SwitchboardClient client = client(List.of(api));
                Publisher publisher = client.publisher(PublisherOptions.of("after-forgery"))) {
            publisher.publish(List.of(Event.of("still serving")));
        }
    }

    @Test
    @Order(4)
    void aBackendKilledMidWorkloadLosesNothingAcknowledged() throws Exception {
        // Given two topics per shard (a new session's shard is chosen by hashing its topic)
        List<String> topics = topicsSpreadOverShards();
        Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        Map<String, Set<String>> read = new ConcurrentHashMap<>();
        AtomicInteger acknowledgedCount = new AtomicInteger();
        topics.forEach(topic -> {
            acknowledged.put(topic, ConcurrentHashMap.newKeySet());
            read.put(topic, ConcurrentHashMap.newKeySet());
        });

        RunningCluster.Allocation[] victimRef = new RunningCluster.Allocation[1];
        try (SwitchboardClient client = client(cluster.apiUrls())) {
            // When a writer and a reader per topic run
            List<CompletableFuture<Void>> writers = topics.stream()
                    .map(topic -> CompletableFuture.runAsync(
                            () -> write(client, topic, acknowledged.get(topic), acknowledgedCount)))
                    .toList();
            CompletableFuture<Void> allWritten = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
            List<CompletableFuture<Void>> readers = topics.stream()
                    .map(topic -> CompletableFuture.runAsync(
                            () -> readUntil(client, topic, read.get(topic), acknowledged.get(topic), allWritten)))
                    .toList();

            // and, a quarter of the way in, the backend node hosting a writer is killed with SIGKILL
            int total = topics.size() * EVENTS_PER_TOPIC;
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> acknowledgedCount.get() >= total / 4 || allWritten.isDone());
            RunningCluster.Allocation victim = cluster.allocations().stream()
                    .filter(allocation -> topics.contains(allocation.topic())
                            && allocation.mode().equals("WRITE"))
                    .findFirst()
                    .orElseThrow();
            RunningCluster.kill(cluster.backend(victim.node()));
            victimRef[0] = victim;

            // Then every writer finishes, and the readers read every acknowledged event
            allWritten.get(4, java.util.concurrent.TimeUnit.MINUTES);
            CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new))
                    .get(4, java.util.concurrent.TimeUnit.MINUTES);
        }
        for (String topic : topics) {
            assertThat(acknowledged.get(topic).size()).as(topic).isEqualTo(EVENTS_PER_TOPIC);
            Set<String> missing = new java.util.HashSet<>(acknowledged.get(topic));
            missing.removeAll(read.get(topic));
            assertThat(missing).as("%s: acknowledged but not read", topic).isEmpty();
        }

        // And the sessions spread over both shards, and the killed node's sessions moved to its shard's other node
        List<RunningCluster.Allocation> allocations = cluster.allocations().stream()
                .filter(allocation -> topics.contains(allocation.topic()))
                .toList();
        assertThat(allocations).extracting(RunningCluster.Allocation::shard).contains("s0", "s1");
        RunningCluster.Allocation victim = victimRef[0];
        assertThat(allocations)
                .filteredOn(allocation -> allocation.topic().equals(victim.topic())
                        && allocation.mode().equals("WRITE"))
                .extracting(RunningCluster.Allocation::shard, RunningCluster.Allocation::node)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(victim.shard(), victim.node()),
                        org.assertj.core.groups.Tuple.tuple(victim.shard(), sibling(victim.node())));
    }

    @Test
    @Order(5)
    void anApiNodeKilledMidRequestFailsOverToTheOther() throws Exception {
        // Given a reader long-polling an empty topic through the first API node
        List<URI> urls = cluster.apiUrls();
        String topic = "failover";
        try (SwitchboardClient writerClient = client(List.of(urls.get(1)));
                Publisher publisher = writerClient.publisher(PublisherOptions.of(topic))) {
            publisher.publish(List.of(Event.of("first")));
            try (SwitchboardClient client = client(urls);
                    Subscriber subscriber = client.subscriber(SubscriberOptions.builder()
                            .topic(topic)
                            .start(StartPosition.latest())
                            .build())) {
                Set<String> seen = ConcurrentHashMap.newKeySet();
                CompletableFuture<Void> polling = CompletableFuture.runAsync(() -> {
                    while (seen.size() < 100) {
                        Batch batch = subscriber.poll(100, Duration.ofSeconds(20));
                        batch.events().forEach(event -> seen.add(event.payloadAsString()));
                        subscriber.ack(batch);
                    }
                });
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> cluster.allocations().stream()
                                .anyMatch(allocation -> allocation.topic().equals(topic)
                                        && allocation.mode().equals("READ")));

                // When that API node is killed with SIGKILL while the poll waits in it
                RunningCluster.kill(cluster.members("api").getFirst());
                List<String> payloads =
                        IntStream.range(0, 100).mapToObj(i -> "event " + i).toList();
                publisher.publish(payloads.stream().map(Event::of).toList());

                // Then the reader fails over to the other node and reads every new event
                polling.get(2, java.util.concurrent.TimeUnit.MINUTES);
                assertThat(seen).containsExactlyInAnyOrderElementsOf(payloads);
            }
        }
    }

    @Test
    @Order(6)
    void anExactlyOnceWriterWhoseBackendIsKilledStoresEveryEventExactlyOnce() throws Exception {
        // Given a topic on a shard whose two backend nodes are both alive, and an exactly-once writer on it
        String shard = cluster.members("backend").stream()
                .filter(member -> ProcessHandle.of(member.pid())
                        .map(ProcessHandle::isAlive)
                        .orElse(false))
                .collect(Collectors.groupingBy(RunningCluster.Member::shard, Collectors.counting()))
                .entrySet()
                .stream()
                .filter(entry -> entry.getValue() == 2)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        String topic = IntStream.range(0, 100)
                .mapToObj(i -> "exactly-" + i)
                .filter(candidate -> RendezvousHashing.choose(candidate, List.of("s0", "s1"))
                        .orElseThrow()
                        .equals(shard))
                .findFirst()
                .orElseThrow();
        int batches = 40;
        int perBatch = 100;
        AtomicInteger acknowledgedCount = new AtomicInteger();
        String victimNode;
        try (SwitchboardClient client = client(cluster.apiUrls());
                Publisher publisher = client.publisher(PublisherOptions.builder()
                        .topic(topic)
                        .writerId("exactly-once-under-kill")
                        .guarantee(Guarantee.EXACTLY_ONCE)
                        .chunkEvents(perBatch)
                        .build())) {
            // When it publishes under load
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int batch = 0; batch < batches; batch++) {
                int from = batch * perBatch;
                List<Event> events = IntStream.range(from, from + perBatch)
                        .mapToObj(i -> Event.of(topic + ":" + i))
                        .toList();
                pending.add(publisher.publishAsync(events).thenRun(() -> acknowledgedCount.addAndGet(perBatch)));
            }
            // and, a quarter of the way in, the backend node hosting it is killed with SIGKILL
            await().atMost(Duration.ofMinutes(2)).until(() -> acknowledgedCount.get() >= batches * perBatch / 4);
            RunningCluster.Allocation victim = cluster.allocations().stream()
                    .filter(allocation -> allocation.topic().equals(topic)
                            && allocation.mode().equals("WRITE"))
                    .findFirst()
                    .orElseThrow();
            victimNode = victim.node();
            RunningCluster.kill(cluster.backend(victimNode));

            // Then every publish completes
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(4, java.util.concurrent.TimeUnit.MINUTES);
        }

        // And a read_committed consumer finds every event exactly once, counted by sb-id
        Map<String, Long> ids = committedRecords(topic).stream()
                .map(record -> new String(record.headers().lastHeader("sb-id").value(), StandardCharsets.UTF_8))
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(ids).hasSize(batches * perBatch);
        assertThat(ids).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        // and the writer moved to the other node of the shard
        assertThat(cluster.allocations())
                .filteredOn(allocation ->
                        allocation.topic().equals(topic) && allocation.mode().equals("WRITE"))
                .extracting(RunningCluster.Allocation::node)
                .contains(victimNode, sibling(victimNode));
    }

    /** What a read_committed consumer reads from {@code topic}: everything up to the last stable offset. */
    private static List<ConsumerRecord<byte[], byte[]>> committedRecords(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                assertThat(System.nanoTime())
                        .as("read %s to its end in time", topic)
                        .isLessThan(deadline);
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    @Order(6)
    void theDashboardShowsTheNodesAndItsFiguresMoveWhenEventsFlow() throws Exception {
        Optional<HeadlessChromium> found = HeadlessChromium.find(workDir);
        Assumptions.assumeTrue(found.isPresent(), "no chromium installed (.ci/run installs Debian's chromium)");
        HeadlessChromium chromium = found.get();
        RunningCluster.Member api = cluster.members("api").stream()
                .filter(RunningCluster.Member::alive)
                .findFirst()
                .orElseThrow();
        URI page = URI.create(api.url()).resolve("/dashboard#token=" + cluster.devToken());

        // Given the dashboard of a running cluster: it shows every live backend node, serving
        String before = chromium.dom(page);
        for (RunningCluster.Member backend : cluster.members("backend")) {
            if (backend.alive()) {
                assertThat(before).contains("data-node=\"" + backend.nodeId() + "\"");
            }
        }
        assertThat(before).contains("class=\"serving\">serving");
        long eventsBefore = figure(before, "events-in-total");

        // When events flow through that API node
        try (SwitchboardClient client = client(List.of(URI.create(api.url())));
                Publisher publisher = client.publisher(PublisherOptions.of("dashboard"))) {
            publisher.publish(
                    IntStream.range(0, 300).mapToObj(i -> Event.of("e" + i)).toList());
        }

        // Then its figures move, and a screenshot is kept under target/
        String after = chromium.dom(page);
        assertThat(figure(after, "events-in-total")).isGreaterThanOrEqualTo(eventsBefore + 300);
        Path screenshot = Path.of("target", "dashboard.png");
        chromium.screenshot(page, screenshot);
        assertThat(screenshot).isNotEmptyFile();
    }

    private static long figure(String dom, String id) {
        java.util.regex.Matcher matcher =
                java.util.regex.Pattern.compile("id=\"" + id + "\">(\\d+)<").matcher(dom);
        assertThat(matcher.find()).as("figure %s in %s", id, dom).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    @Test
    @Order(7)
    void everyNodeExportsMetricsAfterTheWorkload() throws Exception {
        // Given the cluster after the workloads above, one backend and one API node killed
        RunningCluster.Member api = cluster.members("api").stream()
                .filter(RunningCluster.Member::alive)
                .findFirst()
                .orElseThrow();
        List<RunningCluster.Member> backends = cluster.members("backend").stream()
                .filter(RunningCluster.Member::alive)
                .toList();
        // (local-cluster restarts a killed child with a new pid: cluster.json's pids name the original three)
        assertThat(backends).isNotEmpty();

        // Then the API node's metrics show the switch and presence: three serving backends, answered requests
        assertThat(api.metrics())
                .isEqualTo(URI.create(api.url()).resolve("/metrics").toString());
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(PrometheusText.scrape(URI.create(api.metrics()))
                                .value("switchboard_presence_nodes", "state", "serving"))
                        .isGreaterThanOrEqualTo(backends.size()));
        PrometheusText apiPage = PrometheusText.scrape(URI.create(api.metrics()));
        assertThat(apiPage.value("switchboard_switch_requests_total", "outcome", "ok"))
                .isPositive();
        assertThat(apiPage.value("switchboard_shard_connected")).isEqualTo(2);
        Map<String, String> documented = PrometheusText.documented();
        assertThat(documented.keySet()).containsAll(apiPage.names("switchboard_"));
        assertThat(apiPage.names("switchboard_"))
                .containsAll(documented.entrySet().stream()
                        .filter(entry -> entry.getValue().equals("amqp"))
                        .map(Map.Entry::getKey)
                        .toList());

        // And every live backend serves its metrics and health on its own port
        double written = 0;
        for (RunningCluster.Member backend : backends) {
            URI metrics = URI.create(backend.metrics());
            PrometheusText page = PrometheusText.scrape(metrics);
            assertThat(page.value("switchboard_drain_state")).isZero();
            assertThat(documented.keySet()).containsAll(page.names("switchboard_"));
            written += page.value("switchboard_events_written_total");
            assertThat(PrometheusText.status(metrics.resolve("/health/ready"))).isEqualTo(200);
        }
        assertThat(written).isPositive();

        // And status shows both shards serving, the three live backends and the live API node: exit 0
        var status = OperationsIT.cli(
                "status",
                "--json",
                "--url",
                api.url(),
                "--token-file",
                cluster.dataDir().resolve("dev-token").toString());
        assertThat(status.exit()).as(status.stderr()).isZero();
        JsonNode view = new ObjectMapper().readTree(status.stdout());
        assertThat(view.get("healthy").asBoolean()).isTrue();
        assertThat(view.get("shards").findValuesAsText("node"))
                .containsAll(
                        backends.stream().map(RunningCluster.Member::nodeId).toList());
    }

    @Test
    @Order(8)
    void statusExitsOneOnceAShardHasNoServingNode() throws Exception {
        // Given a shard and every backend serving it now (local-cluster restarted the ones killed above)
        RunningCluster.Member api = cluster.members("api").stream()
                .filter(RunningCluster.Member::alive)
                .findFirst()
                .orElseThrow();
        String lonely = "s0";
        List<RunningCluster.Member> serving = cluster.current("backend").stream()
                .filter(RunningCluster.Member::alive)
                .filter(member -> lonely.equals(member.shard()))
                .toList();
        assertThat(serving).isNotEmpty();

        // When they all stop beating (frozen: local-cluster would restart a killed one at once)
        for (RunningCluster.Member member : serving) {
            RunningCluster.freeze(member, true);
        }
        try {
            // Then status names the shard without a node and exits 1
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var status = OperationsIT.cli(
                        "status",
                        "--url",
                        api.url(),
                        "--token-file",
                        cluster.dataDir().resolve("dev-token").toString());
                assertThat(status.exit()).isEqualTo(1);
                assertThat(status.stdout())
                        .contains("shard " + lonely + " has no serving backend node")
                        .contains("NOT healthy");
            });
        } finally {
            for (RunningCluster.Member member : serving) {
                RunningCluster.freeze(member, false);
            }
        }
    }

    private static void write(SwitchboardClient client, String topic, Set<String> acknowledged, AtomicInteger count) {
        try (Publisher publisher = client.publisher(
                PublisherOptions.builder().topic(topic).chunkEvents(CHUNK).build())) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int from = 0; from < EVENTS_PER_TOPIC; from += CHUNK) {
                List<String> chunk = IntStream.range(from, Math.min(from + CHUNK, EVENTS_PER_TOPIC))
                        .mapToObj(i -> topic + ":" + i)
                        .toList();
                pending.add(publisher
                        .publishAsync(chunk.stream().map(Event::of).toList())
                        .thenRun(() -> {
                            acknowledged.addAll(chunk);
                            count.addAndGet(chunk.size());
                        }));
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        }
    }

    private static void readUntil(
            SwitchboardClient client,
            String topic,
            Set<String> read,
            Set<String> acknowledged,
            CompletableFuture<Void> allWritten) {
        // readers never create a topic: wait until the topic's writer has
        await().atMost(Duration.ofMinutes(1)).until(() -> topicExists(topic));
        try (Subscriber subscriber = client.subscriber(SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .build())) {
            while (!(allWritten.isDone() && read.containsAll(acknowledged))) {
                Batch batch = subscriber.poll(500, Duration.ofSeconds(1));
                batch.events().forEach(event -> read.add(event.payloadAsString()));
                subscriber.ack(batch);
            }
        }
    }

    /** Topics whose new sessions go to s0 and s1, {@value #TOPICS_PER_SHARD} each. */
    private static List<String> topicsSpreadOverShards() {
        Map<String, List<String>> byShard = IntStream.range(0, 100)
                .mapToObj(i -> "mixed-" + i)
                .collect(Collectors.groupingBy(topic ->
                        RendezvousHashing.choose(topic, List.of("s0", "s1")).orElseThrow()));
        return byShard.values().stream()
                .flatMap(topics -> topics.stream().limit(TOPICS_PER_SHARD))
                .toList();
    }

    /** The other backend node of the same shard (local-cluster names them backend-<shard>-1 and -2). */
    private static String sibling(String node) {
        return node.endsWith("-1")
                ? node.substring(0, node.length() - 1) + "2"
                : node.substring(0, node.length() - 1) + "1";
    }

    private static SwitchboardClient client(List<URI> urls) {
        try {
            return SwitchboardClient.builder()
                    .urls(urls)
                    .token(cluster.devToken())
                    .build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
