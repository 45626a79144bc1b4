package dev.switchboard.core.session.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.session.ReadMachine;
import dev.switchboard.core.session.ReadMachine.Delivered;
import dev.switchboard.core.session.ReadMachine.Idle;
import dev.switchboard.core.session.simulation.Step.Kind;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The read protocol over a lossy, duplicating network while the topic grows: every acknowledged batch was
 * delivered, the acknowledged events are exactly the topic's prefix (nothing lost, nothing twice), and client and
 * backend agree on the sequence.
 */
class ReadProtocolPropertyTest {

    @Property(tries = 400)
    void acknowledgedBatchesAreTheTopicInOrderAndBothSidesAgree(
            @ForAll("scenarios") List<Step> steps, @ForAll @IntRange(min = 1, max = 4) int maxBatch) {
        // Given a read session mirrored by the client
        ReadSimulation sim = new ReadSimulation(maxBatch);

        // When the scenario plays, then settles
        for (Step step : steps) {
            if (sim.run(step)) {
                assertClientNotAhead(sim);
            }
            assertAcknowledgedBatchesWereDelivered(sim);
        }
        int deliveredWhilePlaying = sim.backend().deliveries().size();
        boolean settled = sim.settle(() -> assertClientNotAhead(sim));

        // Then the client consumed the whole topic exactly once and both sides stand at the same place
        assertThat(sim.client().disagreements()).as("client disagreements").isEmpty();
        assertThat(sim.backend().errors()).as("backend host errors").isEmpty();
        assertThat(settled).as("the session settles").isTrue();
        assertAcknowledgedBatchesWereDelivered(sim);
        assertThat(sim.client().consumed()).isEqualTo(sim.topic());
        assertThat(sim.backend().position()).isEqualTo(sim.topic().size());
        assertThat(sim.client().mirror()).isEqualTo(sim.backend().state());
        assertDeliveriesAreContiguous(sim.backend().deliveries());
        Statistics.label("3+ batches delivered while playing").collect(deliveredWhilePlaying >= 3);
        Statistics.label("3+ batches delivered while playing")
                .coverage(c -> c.check(true).percentage(p -> p > 50));
    }

    /** After the client takes an answer, it has acknowledged and received no more than the backend knows. */
    private static void assertClientNotAhead(ReadSimulation sim) {
        ReadMachine.State client = sim.client().mirror();
        ReadMachine.State backend = sim.backend().state();
        assertThat(acked(client)).as("client acked vs backend").isLessThanOrEqualTo(acked(backend));
        assertThat(delivered(client)).as("client delivered vs backend").isLessThanOrEqualTo(delivered(backend));
    }

    /**
     * The events the client consumed are exactly the start of the topic, and every batch it saw acknowledged is
     * the batch the backend delivered under that seq.
     */
    private static void assertAcknowledgedBatchesWereDelivered(ReadSimulation sim) {
        List<Integer> consumed = sim.client().consumed();
        assertThat(consumed).as("consumed events").isEqualTo(sim.topic().subList(0, consumed.size()));
        List<Batch> deliveries = sim.backend().deliveries();
        for (long seq = 1; seq <= sim.client().confirmedAcked(); seq++) {
            assertThat(deliveries.size()).as("deliveries").isGreaterThanOrEqualTo((int) seq);
            assertThat(sim.client().received(seq))
                    .as("batch %d", seq)
                    .contains(deliveries.get((int) seq - 1).events());
        }
    }

    /** Batch n+1 follows batch n in seq and in offset: no gap, no overlap, none delivered twice as new. */
    private static void assertDeliveriesAreContiguous(List<Batch> deliveries) {
        int offset = 0;
        for (int i = 0; i < deliveries.size(); i++) {
            Batch batch = deliveries.get(i);
            assertThat(batch.seq()).as("seq of delivery %d", i).isEqualTo(i + 1);
            assertThat(batch.from()).as("offset of batch %d", batch.seq()).isEqualTo(offset);
            assertThat(batch.events()).as("batch %d", batch.seq()).isNotEmpty();
            offset = batch.end();
        }
    }

    private static long acked(ReadMachine.State state) {
        return switch (state) {
            case Idle idle -> idle.ackedSeq();
            case Delivered delivered -> delivered.ackedSeq();
            case ReadMachine.Closed closed -> Long.MAX_VALUE;
        };
    }

    private static long delivered(ReadMachine.State state) {
        return switch (state) {
            case Idle idle -> idle.ackedSeq();
            case Delivered delivered -> delivered.seq();
            case ReadMachine.Closed closed -> Long.MAX_VALUE;
        };
    }

    @Provide
    Arbitrary<List<Step>> scenarios() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(8, Kind.CLIENT_SEND),
                Tuple.of(1, Kind.CLIENT_RETRY),
                Tuple.of(6, Kind.REQUEST_DELIVERED),
                Tuple.of(1, Kind.REQUEST_LOST),
                Tuple.of(1, Kind.REQUEST_DUPLICATED),
                Tuple.of(6, Kind.RESPONSE_DELIVERED),
                Tuple.of(1, Kind.RESPONSE_LOST),
                Tuple.of(1, Kind.RESPONSE_DUPLICATED),
                Tuple.of(2, Kind.EVENTS_APPENDED));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 99))
                .as(Step::new)
                .list()
                .ofMinSize(50)
                .ofMaxSize(300)
                .withSizeDistribution(RandomDistribution.uniform());
    }
}
