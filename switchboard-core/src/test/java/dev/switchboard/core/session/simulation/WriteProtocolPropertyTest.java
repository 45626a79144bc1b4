package dev.switchboard.core.session.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.session.WriteMachine.Open;
import dev.switchboard.core.session.simulation.KafkaModel.Acked;
import dev.switchboard.core.session.simulation.KafkaModel.Failed;
import dev.switchboard.core.session.simulation.KafkaModel.Sent;
import dev.switchboard.core.session.simulation.Step.Kind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
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
 * The write protocol over a lossy, duplicating network, with Kafka acknowledging and failing at random points:
 * no committed chunk is lost, a chunk is published again only after a failure, and client and backend agree.
 */
class WriteProtocolPropertyTest {

    @Property(tries = 400)
    void committedChunksAreNeverLostAndBothSidesAgree(
            @ForAll("withFailures") List<Step> steps,
            @ForAll @IntRange(min = 0, max = 3) int lastCommitted,
            @ForAll @IntRange(min = 1, max = 4) int window) {
        // Given a writer session mirrored by the client
        WriteSimulation sim = new WriteSimulation(lastCommitted, window, 30);

        // When the scenario plays, then settles
        for (Step step : steps) {
            if (sim.run(step)) {
                assertClientNotAhead(sim);
            }
            assertCommittedChunksAcknowledgedByKafka(sim, lastCommitted);
        }
        boolean settled = sim.settle(() -> assertClientNotAhead(sim));

        // Then nothing committed was lost, publishes repeat only after failures, and both sides are equal
        assertThat(sim.client().disagreements()).as("client disagreements").isEmpty();
        assertThat(sim.backend().edgeRejections()).as("rejected Kafka events").isEmpty();
        assertThat(settled).as("the session settles").isTrue();
        assertCommittedChunksAcknowledgedByKafka(sim, lastCommitted);
        assertRepublishedOnlyAfterFailure(sim.kafka().history());
        assertThat(sim.client().mirror()).isEqualTo(sim.backend().state());
        assertThat(sim.client().confirmedCommitted())
                .isEqualTo(((Open) sim.backend().state()).staged());
        collectStatistics(sim);
    }

    @Property(tries = 200)
    void withoutFailuresEveryChunkIsPublishedExactlyOnceInOrder(
            @ForAll("withoutFailures") List<Step> steps,
            @ForAll @IntRange(min = 0, max = 3) int lastCommitted,
            @ForAll @IntRange(min = 1, max = 4) int window) {
        // Given a writer session, and a Kafka that never fails
        WriteSimulation sim = new WriteSimulation(lastCommitted, window, 30);

        // When the scenario plays, then settles
        steps.forEach(sim::run);
        boolean settled = sim.settle(() -> {});

        // Then the publishes are disjoint and contiguous, and the topic holds each chunk once, in order
        assertThat(settled).as("the session settles").isTrue();
        long next = lastCommitted + 1;
        for (KafkaModel.Event event : sim.kafka().history()) {
            if (event instanceof Sent(long from, long to)) {
                assertThat(from).as("publish starts where the previous ended").isEqualTo(next);
                assertThat(to).as("publish is not empty").isGreaterThanOrEqualTo(from);
                next = to + 1;
            }
        }
        long committed = ((Open) sim.backend().state()).committed();
        assertThat(sim.kafka().log())
                .containsExactlyElementsOf(LongStream.rangeClosed(lastCommitted + 1, committed)
                        .boxed()
                        .toList());
        assertThat(sim.client().mirror()).isEqualTo(sim.backend().state());
    }

    /** After the client takes an answer, it never believes more is staged or committed than the backend does. */
    private static void assertClientNotAhead(WriteSimulation sim) {
        Open client = (Open) sim.client().mirror();
        Open backend = (Open) sim.backend().state();
        assertThat(client.staged()).as("client staged vs backend").isLessThanOrEqualTo(backend.staged());
        assertThat(client.committed()).as("client committed vs backend").isLessThanOrEqualTo(backend.committed());
    }

    /** Every chunk the client or the backend counts as committed was published and acknowledged by Kafka. */
    private static void assertCommittedChunksAcknowledgedByKafka(WriteSimulation sim, long lastCommitted) {
        long committed = Math.max(
                sim.client().confirmedCommitted(), ((Open) sim.backend().state()).committed());
        long firstMissing = LongStream.rangeClosed(lastCommitted + 1, committed)
                .filter(seq -> !sim.kafka().acknowledged(seq))
                .findFirst()
                .orElse(-1);
        assertThat(firstMissing)
                .as("first chunk counted as committed (up to %d) that Kafka did not acknowledge", committed)
                .isEqualTo(-1);
    }

    /** A chunk is sent to Kafka again only when a failure came after its last send, before Kafka acked it. */
    private static void assertRepublishedOnlyAfterFailure(List<KafkaModel.Event> history) {
        Set<Long> sentSinceFailure = new HashSet<>();
        for (KafkaModel.Event event : history) {
            switch (event) {
                case Sent(long from, long to) -> {
                    for (long seq = from; seq <= to; seq++) {
                        assertThat(sentSinceFailure.add(seq))
                                .as("chunk %d sent twice with no failure between", seq)
                                .isTrue();
                    }
                }
                case Failed(Set<Long> ackedChunks) -> sentSinceFailure.retainAll(ackedChunks);
                case Acked acked -> {}
            }
        }
    }

    private static void collectStatistics(WriteSimulation sim) {
        List<Long> log = sim.kafka().log();
        boolean duplicated = new HashSet<>(log).size() < log.size();
        long failures =
                sim.kafka().history().stream().filter(Failed.class::isInstance).count();
        Statistics.label("duplicates in topic").collect(duplicated);
        Statistics.label("kafka failures").collect(failures > 0);
        Statistics.label("duplicates in topic").coverage(c -> c.check(true).percentage(p -> p > 10));
        Statistics.label("kafka failures").coverage(c -> c.check(true).percentage(p -> p > 30));
    }

    @Provide
    Arbitrary<List<Step>> withFailures() {
        return steps(2);
    }

    @Provide
    Arbitrary<List<Step>> withoutFailures() {
        return steps(0);
    }

    private static Arbitrary<List<Step>> steps(int failureWeight) {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(8, Kind.CLIENT_SEND),
                Tuple.of(1, Kind.CLIENT_RETRY),
                Tuple.of(6, Kind.REQUEST_DELIVERED),
                Tuple.of(1, Kind.REQUEST_LOST),
                Tuple.of(1, Kind.REQUEST_DUPLICATED),
                Tuple.of(6, Kind.RESPONSE_DELIVERED),
                Tuple.of(1, Kind.RESPONSE_LOST),
                Tuple.of(1, Kind.RESPONSE_DUPLICATED),
                Tuple.of(3, Kind.KAFKA_ACK),
                Tuple.of(failureWeight, Kind.KAFKA_FAIL));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 99))
                .as(Step::new)
                .list()
                .ofMinSize(50)
                .ofMaxSize(300)
                .withSizeDistribution(RandomDistribution.uniform());
    }
}
