package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.internal.WriterStates;
import dev.switchboard.testkit.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication on a real three-broker cluster (testkit {@link KafkaCluster}): with replication left to the node
 * (AUTO), every topic it creates (data, {@code __switchboard_keys}, {@value WriterStates#TOPIC}) gets 3 replicas
 * and min.insync.replicas 2; after the broker leading the data topic is stopped, sealed events are still read
 * back in clear, by a node that starts afterwards (so it reads the data keys from the surviving replicas), writers
 * still commit (2 replicas in sync), and that node, counting the stopped broker, still creates topics with 3.
 */
class ReplicatedClusterIT {
    private static final byte[] SECRET = "replicated-it-cluster-secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private BackendNode node(KafkaCluster kafka, String id) {
        return BackendNode.start(
                BackendConfig.builder(id, kafka.bootstrapServers())
                        .autoCreateTopics(true)
                        .defaultPartitions(1)
                        .encryption(EncryptionConfig.local(dir.resolve("kek.p12"), "keystore-password"))
                        .build(),
                SECRET,
                Clock.systemUTC());
    }

    @Test
    void topicsGetThreeReplicasAndSealedEventsOutliveABroker() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(3);
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // given a sealing node on three brokers, replication left to it, and a writer that committed 6 events
            try (BackendNode first = node(kafka, "repl-1")) {
                Calls calls = new Calls(first);
                String writer = calls.writer("replicated", "w").getSessionId();
                calls.write(writer, 1, events("before", 6));
                assertThat(calls.commit(writer, 1)).isEqualTo(1);
            }

            // then every topic the node made has 3 replicas and min.insync.replicas 2, set on the topic
            for (String topic : List.of("replicated", "__switchboard_keys", WriterStates.TOPIC)) {
                TopicDescription description = admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get()
                        .get(topic);
                assertThat(description.partitions())
                        .as(topic)
                        .allSatisfy(
                                partition -> assertThat(partition.replicas()).hasSize(3));
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                ConfigEntry minInsync = admin.describeConfigs(List.of(resource))
                        .all()
                        .get()
                        .get(resource)
                        .get("min.insync.replicas");
                assertThat(minInsync.value()).as(topic).isEqualTo("2");
                assertThat(minInsync.source()).as(topic).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            }

            // when the broker leading the data topic stops
            int leader = admin.describeTopics(List.of("replicated"))
                    .allTopicNames()
                    .get()
                    .get("replicated")
                    .partitions()
                    .getFirst()
                    .leader()
                    .id();
            kafka.stopBroker(leader);
            // A lost broker (no controlled shutdown) keeps its leaderships until its session times out; until the
            // controller moves them, calls on those partitions answer UNAVAILABLE (retriable, the SDK retries), so
            // wait for the move as a client's retries would
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                for (TopicDescription description : admin.describeTopics(
                                List.of("replicated", "__switchboard_keys", WriterStates.TOPIC))
                        .allTopicNames()
                        .get()
                        .values()) {
                    assertThat(description.partitions())
                            .as(description.name())
                            .allSatisfy(partition -> assertThat(partition.leader())
                                    .isNotNull()
                                    .satisfies(node -> assertThat(node.id()).isNotEqualTo(leader)));
                }
            });

            // then a node started afterwards reads every sealed event back in clear, and a writer still commits
            try (BackendNode second = node(kafka, "repl-2")) {
                Calls calls = new Calls(second);
                String writer = calls.writer("replicated", "w").getSessionId();
                calls.write(writer, 2, events("after", 2));
                assertThat(calls.commit(writer, 2)).isEqualTo(2);
                String reader = calls.reader("replicated").getSessionId();
                assertThat(calls.readAll(reader, 8).payloads())
                        .containsExactly(
                                "before-0",
                                "before-1",
                                "before-2",
                                "before-3",
                                "before-4",
                                "before-5",
                                "after-0",
                                "after-1");

                // and it counts the stopped broker (AUTO stays 3): a topic it creates now has 3 replicas too (Kafka
                // places one on the stopped broker, which catches up when it is back), not 2 for good
                calls.writer("replicated-new", "w");
                assertThat(admin.describeTopics(List.of("replicated-new"))
                                .allTopicNames()
                                .get()
                                .get("replicated-new")
                                .partitions())
                        .allSatisfy(
                                partition -> assertThat(partition.replicas()).hasSize(3));
            }
        }
    }
}
