package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How a node works out the replication of the topics it creates from its settings and the cluster's brokers. */
class ReplicationTest {
    private static final int AUTO = Replication.AUTO;

    @Test
    void unsetReplicationIsThreeOrEveryBrokerOfASmallerCluster() {
        assertThat(Replication.resolve(AUTO, AUTO, 1)).isEqualTo(new Replication(1, 1));
        assertThat(Replication.resolve(AUTO, AUTO, 2)).isEqualTo(new Replication(2, 1));
        assertThat(Replication.resolve(AUTO, AUTO, 3)).isEqualTo(new Replication(3, 2));
        assertThat(Replication.resolve(AUTO, AUTO, 9)).isEqualTo(new Replication(3, 2));
    }

    @Test
    void configuredValuesAreTakenAsTheyAre() {
        assertThat(Replication.resolve(2, AUTO, 9)).isEqualTo(new Replication(2, 1));
        assertThat(Replication.resolve(5, 3, 1))
                .as("more replicas than brokers: Kafka refuses the topic, naming why")
                .isEqualTo(new Replication(5, 3));
        assertThat(Replication.resolve(AUTO, 3, 9)).isEqualTo(new Replication(3, 3));
    }

    @Test
    void aMinInsyncAboveTheWorkedOutFactorIsCappedAtIt() {
        assertThat(Replication.resolve(AUTO, 2, 1)).isEqualTo(new Replication(1, 1));
    }

    @Test
    void impossibleReplicationIsRefused() {
        assertThatThrownBy(() -> new Replication(2, 3)).hasMessageContaining("min-insync-replicas");
        assertThatThrownBy(() -> new Replication(0, 0)).hasMessageContaining("replication-factor");
    }
}
