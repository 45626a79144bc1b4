package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.BackendConfig;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The Kafka client settings the protocol's promises depend on, which an operator's properties cannot undo. */
class KafkaClientsTest {
    private final BackendConfig config = BackendConfig.builder("n1", "127.0.0.1:9092")
            .kafka(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")
            .kafka(ProducerConfig.ACKS_CONFIG, "1")
            .build();

    @Test
    void everyConsumerReadsOnlyCommittedTransactionsSessionsTailReadersAndInternalTopicsAlike() {
        assertThat(KafkaClients.consumer(config, "session", 100).get(ConsumerConfig.ISOLATION_LEVEL_CONFIG))
                .isEqualTo("read_committed");
        assertThat(KafkaClients.tail(config, "orders").get(ConsumerConfig.ISOLATION_LEVEL_CONFIG))
                .isEqualTo("read_committed");
    }

    @Test
    void anExactlyOnceWritersProducerIsTransactionalIdempotentAndWaitsForAllReplicas() {
        Properties props = KafkaClients.transactionalProducer(config, "sb-w-abc");

        assertThat(props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG)).isEqualTo("sb-w-abc");
        assertThat(props.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
        assertThat(props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo("true");
        assertThat(props.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))
                .isEqualTo(Integer.toString(KafkaClients.TRANSACTION_TIMEOUT_MS));
        assertThat(KafkaClients.producer(config).get(ProducerConfig.TRANSACTIONAL_ID_CONFIG))
                .isNull();
    }
}
