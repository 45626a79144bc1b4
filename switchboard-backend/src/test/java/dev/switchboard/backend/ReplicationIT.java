package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.internal.Replication;
import dev.switchboard.backend.internal.TopicManager;
import dev.switchboard.testkit.KafkaExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication of the topics a node creates, against a real broker. The shared test kit broker is one, so this checks
 * the single-broker cluster end to end (brokers counted with describeCluster, min(3, 1) = 1 on every topic the
 * node creates, min.insync.replicas set) and the warning for an existing topic with fewer replicas than
 * configured; three brokers are {@code ReplicatedClusterIT}.
 */
class ReplicationIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "replication-it-cluster-secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void everyTopicANodeCreatesGetsTheReplicationWorkedOutFromTheBrokers() throws Exception {
        // Given a node with replication left to it, encrypting (so it creates its keys topic)
        BackendConfig config = BackendConfig.builder("repl-auto", KAFKA.bootstrapServers())
                .autoCreateTopics(true)
                .encryption(EncryptionConfig.local(dir.resolve("kek.p12"), "password")
                        .withKeysTopic("__repl_it_keys"))
                .build();
        try (TopicManager topics = new TopicManager(config);
                BackendNode node = BackendNode.start(config, SECRET, Clock.systemUTC())) {
            // When a writer creates a data topic
            new Calls(node).writer("repl-data", "w");

            // Then the node counted one broker, and every topic it made has 1 replica and min.insync.replicas 1
            assertThat(topics.replication()).isEqualTo(new Replication(1, 1));
            for (String topic : List.of("__repl_it_keys", "repl-data")) {
                assertThat(describe(topic).partitions())
                        .allSatisfy(
                                partition -> assertThat(partition.replicas()).hasSize(1));
                ConfigEntry minInsync = config(topic).get("min.insync.replicas");
                assertThat(minInsync.value()).isEqualTo("1");
                assertThat(minInsync.source())
                        .as("set on the topic")
                        .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            }
            assertThat(config("__repl_it_keys").get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void anExistingTopicWithFewerReplicasThanConfiguredIsReportedLoudly() throws Exception {
        // Given an internal topic that exists with one replica, and a node configured for three
        KAFKA.createTopic("__repl_it_thin", 1);
        BackendConfig config = BackendConfig.builder("repl-three", KAFKA.bootstrapServers())
                .replicationFactor(3)
                .build();
        PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        int replicas;
        try (TopicManager topics = new TopicManager(config)) {
            // When the node makes sure of it
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
            try {
                replicas = topics.ensure("__repl_it_thin", 1, Map.of());
            } finally {
                System.setErr(stderr);
            }
        }

        // Then it goes on with the topic as it is, and warns naming the topic, actual and configured replicas
        assertThat(replicas).isEqualTo(1);
        assertThat(logged.toString(StandardCharsets.UTF_8))
                .contains("WARN")
                .contains("topic has fewer replicas than configured topic=__repl_it_thin replicas=1"
                        + " replication-factor=3");
    }

    private static TopicDescription describe(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        }
    }

    private static Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin()) {
            return admin.describeConfigs(List.of(resource)).all().get().get(resource);
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()));
    }
}
