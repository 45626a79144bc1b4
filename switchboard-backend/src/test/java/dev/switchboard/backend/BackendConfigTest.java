package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendConfigTest {

    @Test
    void builderFillsTheDefaults() {
        // When
        BackendConfig config = BackendConfig.builder("n1", "127.0.0.1:9092").build();

        // Then
        assertThat(config.shard()).isEqualTo("s0");
        assertThat(config.kafka()).isEmpty();
        assertThat(config.limits()).isEqualTo(SessionLimits.defaults());
        assertThat(config.autoCreateTopics()).isFalse();
        assertThat(config.defaultPartitions()).isEqualTo(3);
        assertThat(config.replicationFactor()).isEqualTo(BackendConfig.AUTO);
        assertThat(config.minInsyncReplicas()).isEqualTo(BackendConfig.AUTO);
    }

    @Test
    void missingObjectValuesTakeTheirDefaults() {
        // When
        BackendConfig config = new BackendConfig(
                null, "n1", "127.0.0.1:9092", null, null, true, 1, 1, null, 0, null, null, null, 0, 1);

        // Then
        assertThat(config.shard()).isEqualTo("s0");
        assertThat(config.kafka()).isEmpty();
        assertThat(config.limits()).isEqualTo(SessionLimits.defaults());
    }

    @Test
    void kafkaPropertiesAreCopied() {
        // Given
        HashMap<String, String> kafka = new HashMap<>(Map.of("security.protocol", "SSL"));

        // When
        BackendConfig config = new BackendConfig(
                "s1",
                "n1",
                "127.0.0.1:9092",
                kafka,
                null,
                false,
                3,
                1,
                null,
                BackendConfig.DEFAULT_TAIL_CACHE_BYTES,
                null,
                null,
                null,
                0,
                1);
        kafka.clear();

        // Then
        assertThat(config.kafka()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> BackendConfig.builder("n.1", "b:1").build()).hasMessageContaining("node-id");
        assertThatThrownBy(() -> BackendConfig.builder(null, "b:1").build()).hasMessageContaining("node-id");
        assertThatThrownBy(() -> BackendConfig.builder("n1", " ").build()).hasMessageContaining("bootstrap-servers");
        assertThatThrownBy(() -> BackendConfig.builder("n1", "b:1").shard("a b").build())
                .hasMessageContaining("shard");
        assertThatThrownBy(() ->
                        BackendConfig.builder("n1", "b:1").defaultPartitions(0).build())
                .hasMessageContaining("default-partitions");
        assertThatThrownBy(() -> BackendConfig.builder("n1", "b:1")
                        .maxTransactionalProducers(-1)
                        .build())
                .hasMessageContaining("max-transactional-producers");
        assertThatThrownBy(() ->
                        BackendConfig.builder("n1", "b:1").replicationFactor(-1).build())
                .hasMessageContaining("replication-factor");
        assertThatThrownBy(() -> BackendConfig.builder("n1", "b:1")
                        .replicationFactor(40_000)
                        .build())
                .hasMessageContaining("replication-factor");
        assertThatThrownBy(() -> BackendConfig.builder("n1", "b:1")
                        .replicationFactor(2)
                        .minInsyncReplicas(3)
                        .build())
                .hasMessageContaining("min-insync-replicas");
        assertThatThrownBy(() ->
                        BackendConfig.builder("n1", "b:1").minInsyncReplicas(-1).build())
                .hasMessageContaining("min-insync-replicas");
        assertThatThrownBy(() -> BackendConfig.builder("n1", "b:1")
                        .deadLetterTopic("{topic} dlq")
                        .build())
                .hasMessageContaining("dead-letter-topic");
    }

    @Test
    void deadLetterTopicDefaultsToTheTopicWithASuffix() {
        assertThat(BackendConfig.builder("n1", "b:1").build().deadLetterTopic()).isEqualTo("{topic}.sb-dlq");
        assertThat(BackendConfig.builder("n1", "b:1")
                        .deadLetterTopic("all-dead-letters")
                        .build()
                        .deadLetterTopic())
                .isEqualTo("all-dead-letters");
    }
}
