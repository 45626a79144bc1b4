package dev.switchboard.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

    private static final String TOPIC = "events";
    private static final int COUNT = 1000;

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesRestartOnSameDirectory() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            expected.add("value-" + i);
        }

        String firstBootstrap;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            firstBootstrap = kafka.bootstrapServers();
            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1)))
                        .all()
                        .get();
                assertThat(admin.describeCluster().clusterId().get()).isNotBlank();
            }
            produce(kafka, expected);
            assertThat(consumeAll(kafka, "group-1")).containsExactlyInAnyOrderElementsOf(expected);
            closeAndCheckReleased(kafka);
        }
        String clusterId = Files.readString(dataDir.resolve("kafka-logs/meta.properties"));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertThat(kafka.bootstrapServers()).isEqualTo(firstBootstrap);
            assertThat(consumeAll(kafka, "group-2")).containsExactlyInAnyOrderElementsOf(expected);
            try (Admin admin = admin(kafka)) {
                Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("group-1")
                        .partitionsToOffsetAndMetadata()
                        .get();
                assertThat(offsets.values().stream()
                                .mapToLong(OffsetAndMetadata::offset)
                                .sum())
                        .as("offsets committed before the restart")
                        .isEqualTo(COUNT);
            }
            closeAndCheckReleased(kafka);
        }
        assertThat(Files.readString(dataDir.resolve("kafka-logs/meta.properties")))
                .as("meta.properties (cluster id) is not rewritten by a restart")
                .isEqualTo(clusterId);
    }

    @Test
    void restartsWhenPreviousPortsAreTaken() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get();
            }
            produce(kafka, List.of("a", "b"));
        }
        Properties ports = new Properties();
        try (Reader in = Files.newBufferedReader(dataDir.resolve(EmbeddedKafka.PORTS_FILE))) {
            ports.load(in);
        }
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket b = new ServerSocket(Integer.parseInt(ports.getProperty("broker.port")), 1, loopback);
                ServerSocket c = new ServerSocket(Integer.parseInt(ports.getProperty("controller.port")), 1, loopback);
                EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertThat(kafka.bootstrapServers()).doesNotEndWith(":" + b.getLocalPort());
            assertThat(consumeAll(kafka, "g", 2)).containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void failedStartReleasesEverything() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, taken.getLocalPort()))
                    .hasRootCauseInstanceOf(BindException.class);
        }
        // The data dir lock and the controller port were released: a normal start works.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
                Admin admin = admin(kafka)) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
    }

    @Test
    void secondBrokerOnSameDirectoryIsRejected() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use");
            assertThat(kafka.bootstrapServers()).isNotBlank();
        }
        EmbeddedKafka.start(dataDir, 0).close(); // the lock is released by close()
    }

    /**
     * Closes {@code kafka} and checks that it let go of what it held: the broker's port can be bound again (a
     * close that left the broker running, or still shutting down, would hold it).
     */
    private static void closeAndCheckReleased(EmbeddedKafka kafka) throws Exception {
        int port = Integer.parseInt(
                kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1));
        kafka.close();
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void produce(EmbeddedKafka kafka, List<String> values) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(TOPIC, "key-" + i, values.get(i)));
            }
            producer.flush();
        }
    }

    private static List<String> consumeAll(EmbeddedKafka kafka, String group) {
        return consumeAll(kafka, group, COUNT);
    }

    private static List<String> consumeAll(EmbeddedKafka kafka, String group, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            consumer.commitSync();
        }
        return values;
    }
}
