package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.error;
import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Unknown topics: created on a writer's allocate when allowed, TOPIC_NOT_FOUND when not and for readers. */
class TopicsIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "topics-it-cluster-secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void anUnknownTopicIsNotFoundWhenAutoCreateIsOff() {
        // Given
        try (BackendNode node = BackendNode.start(
                BackendConfig.builder("strict", KAFKA.bootstrapServers()).build(), SECRET, Clock.systemUTC())) {
            Calls calls = new Calls(node);

            // When
            var reader = calls.call(SwitchRequest.allocate(new AllocateRequest("no-such-topic", SessionMode.READ)));
            var writer = calls.call(SwitchRequest.allocate(new AllocateRequest("no-such-topic", SessionMode.WRITE)));

            // Then
            assertThat(error(reader, ErrorCode.TOPIC_NOT_FOUND).getMessage()).contains("no-such-topic");
            error(writer, ErrorCode.TOPIC_NOT_FOUND);
            assertThat(node.sessionCount().getAsInt()).isZero();
        }
    }

    @Test
    void anUnknownTopicIsCreatedWhenAutoCreateIsOn() throws Exception {
        // Given
        BackendConfig config = BackendConfig.builder("eager", KAFKA.bootstrapServers())
                .autoCreateTopics(true)
                .defaultPartitions(2)
                .build();
        try (BackendNode node = BackendNode.start(config, SECRET, Clock.systemUTC())) {
            Calls calls = new Calls(node);

            // When
            String writer = calls.writer("auto-created", "creator").getSessionId();
            calls.write(writer, 1, events("a", 4));
            calls.commit(writer, 1);
            String reader = calls.reader("auto-created").getSessionId();

            // Then
            assertThat(describe("auto-created").partitions()).hasSize(2);
            assertThat(calls.readAll(reader, 4).payloads()).containsExactlyInAnyOrder("a-0", "a-1", "a-2", "a-3");
        }
    }

    @Test
    void aReaderOfAnUnknownTopicGetsNotFoundEvenWhenAutoCreateIsOn() throws Exception {
        // Given a node that creates topics for writers
        BackendConfig config = BackendConfig.builder("eager-reader", KAFKA.bootstrapServers())
                .autoCreateTopics(true)
                .build();
        try (BackendNode node = BackendNode.start(config, SECRET, Clock.systemUTC())) {
            Calls calls = new Calls(node);

            // When a reader allocates a topic nobody made
            var reader = calls.call(SwitchRequest.allocate(new AllocateRequest("never-written", SessionMode.READ)));

            // Then it is told so at once, and the topic is not created
            assertThat(error(reader, ErrorCode.TOPIC_NOT_FOUND).getMessage())
                    .contains("'never-written' does not exist")
                    .contains("readers never create topics");
            assertThat(topicNames()).doesNotContain("never-written");
            assertThat(node.sessionCount().getAsInt()).isZero();

            // And a writer still creates it, after which readers find it
            calls.writer("never-written", "first-writer");
            assertThat(topicNames()).contains("never-written");
            assertThat(calls.reader("never-written").getSessionId()).isNotBlank();
        }
    }

    @Test
    void aReaderRightAfterTheWriterThatCreatedTheTopicOnTheSameNodeFindsIt() {
        // Given a node that creates topics for writers
        BackendConfig config = BackendConfig.builder("create-then-read", KAFKA.bootstrapServers())
                .autoCreateTopics(true)
                .build();
        try (BackendNode node = BackendNode.start(config, SECRET, Clock.systemUTC())) {
            Calls calls = new Calls(node);
            for (int i = 0; i < 20; i++) {
                String topic = "created-then-read-" + i;

                // When a writer's allocate creates a topic and a reader allocates it the moment after
                calls.writer(topic, "creator");
                var reader = calls.call(SwitchRequest.allocate(new AllocateRequest(topic, SessionMode.READ)));

                // Then the reader gets a session (the node's broker had not always learnt of the topic yet)
                assertThat(reader.isSetAllocate())
                        .as("reader of %s: %s", topic, reader)
                        .isTrue();
            }
        }
    }

    private static java.util.Set<String> topicNames() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            return admin.listTopics().names().get();
        }
    }

    private static TopicDescription describe(String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        }
    }
}
