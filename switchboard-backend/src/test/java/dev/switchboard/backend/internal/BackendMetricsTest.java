package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BackendMetricsTest {

    @Test
    void topicsBeyondTheCapAreCountedAsOther() {
        // Given metrics that label at most 3 topics
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackendMetrics metrics = new BackendMetrics(registry, new TopicLabels(3));

        // When 5 topics are written, 10 events each, and the first topic again
        for (int i = 0; i < 5; i++) {
            metrics.written("t" + i, 10, 100);
        }
        metrics.written("t0", 1, 10);

        // Then the first 3 keep their name, the other 2 share "other", and no event is lost
        assertThat(registry.find("switchboard.events.written").counters())
                .extracting(counter -> counter.getId().getTag("topic"))
                .containsExactlyInAnyOrder("t0", "t1", "t2", "other");
        assertThat(written(registry, "t0")).isEqualTo(11);
        assertThat(written(registry, "other")).isEqualTo(20);
        assertThat(registry.get("switchboard.bytes.written").counter().count()).isEqualTo(510);
    }

    @Test
    void rejectedRecordsAreReadFromTheNodesCounts() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackendMetrics metrics = new BackendMetrics(registry, new TopicLabels(TopicLabels.DEFAULT_LIMIT));
        java.util.concurrent.atomic.AtomicLong unsealed = new java.util.concurrent.atomic.AtomicLong();
        metrics.bindRejected(new dev.switchboard.backend.RejectedRecords() {
            @Override
            public long rejected(Reason reason) {
                return reason == Reason.UNSEALED ? unsealed.get() : 0;
            }

            @Override
            public long deadLettered() {
                return unsealed.get();
            }

            @Override
            public long deadLetterFailures() {
                return 0;
            }
        });

        unsealed.set(2);

        assertThat(registry.get("switchboard.records.rejected")
                        .tag("reason", "unsealed")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("switchboard.records.rejected")
                        .tag("reason", "undecryptable")
                        .functionCounter()
                        .count())
                .isZero();
    }

    @Test
    void theNodesRefusalsAndStagedBytesAreReadFromItsCounters() {
        // Given metrics bound to a node's counters
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackendMetrics metrics = new BackendMetrics(registry, new TopicLabels(TopicLabels.DEFAULT_LIMIT));
        dev.switchboard.backend.BackendCounters counters = new dev.switchboard.backend.BackendCounters();
        metrics.bindCounters(counters);

        // When the node refuses two sessions (one per limit) and three writes, and holds 4096 staged bytes
        counters.countSessionRefused(false);
        counters.countSessionRefused(true);
        counters.countWriteRefusedStagedBytes();
        counters.countWriteRefusedStagedBytes();
        counters.countWriteRefusedStagedBytes();
        counters.stagedBytesGauge().set(4096);

        // Then the meters show those numbers
        assertThat(registry.get("switchboard.sessions.refused")
                        .tag("reason", "node-full")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("switchboard.sessions.refused")
                        .tag("reason", "principal-full")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("switchboard.writes.refused")
                        .tag("reason", "staged-bytes")
                        .functionCounter()
                        .count())
                .isEqualTo(3);
        assertThat(registry.get("switchboard.staged.bytes").gauge().value()).isEqualTo(4096);
    }

    private static double written(SimpleMeterRegistry registry, String topic) {
        Counter counter =
                registry.get("switchboard.events.written").tag("topic", topic).counter();
        return counter.count();
    }
}
