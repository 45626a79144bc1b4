package dev.switchboard.client.internal;

import static dev.switchboard.client.internal.InProcessHarness.TOPIC;
import static dev.switchboard.client.internal.PublishSubscribeTest.events;
import static dev.switchboard.client.internal.PublishSubscribeTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Batch;
import dev.switchboard.client.CursorStore;
import dev.switchboard.client.CursorStores;
import dev.switchboard.client.Durability;
import dev.switchboard.client.PublishResult;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.fake.FakeNode;
import dev.switchboard.client.fake.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fewer round trips: the ack riding on the next read and the commit riding on a write, counted at the API tier, and
 * the fallback to separate calls against a node older than those fields.
 */
class RoundTripsTest {
    private final InProcessHarness harness = new InProcessHarness(Fault.Plan.none(), 0, RetryPolicy.defaults());

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private void publish(int count) {
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            publisher.publish(events("e", count));
        }
    }

    /** Polls batches of at most 20 and acknowledges each, until {@code count} events arrived. */
    private static List<String> readAll(Subscriber subscriber, int count) {
        List<String> received = new ArrayList<>();
        while (received.size() < count) {
            Batch batch = subscriber.poll(20, Duration.ofSeconds(1));
            batch.events().forEach(event -> received.add(event.payloadAsString()));
            subscriber.ack(batch);
        }
        return received;
    }

    @Test
    void aSubscriberSendsOneCallPerBatchAndItsLastAckOnClose() {
        // given 60 events: three batches of 20
        publish(60);
        CursorStore store = CursorStores.memory();

        // when a subscriber reads and acknowledges them all, then closes
        List<String> received;
        int readsBeforeClose;
        int acksBeforeClose;
        try (Subscriber subscriber = harness.runtime.subscriber(
                SubscriberOptions.builder().topic(TOPIC).cursorStore(store).build())) {
            received = readAll(subscriber, 60);
            readsBeforeClose = harness.api.calls("read");
            acksBeforeClose = harness.api.calls("ack");
            // the third ack is not sent yet: the cursor is the one the third read's ack answered
            assertThat(subscriber.cursor()).isEqualTo(store.load());
        }

        // then the acks rode on the reads, one call per batch, and close sent the last one alone
        assertThat(received).containsExactlyElementsOf(payloads("e", 60));
        assertThat(readsBeforeClose).isEqualTo(3);
        assertThat(acksBeforeClose).isZero();
        assertThat(harness.api.calls("ack")).isEqualTo(1);

        // and the saved cursor is after every event: a new subscriber from it finds nothing
        try (Subscriber again = harness.runtime.subscriber(
                SubscriberOptions.builder().topic(TOPIC).cursorStore(store).build())) {
            assertThat(again.poll(20, Duration.ofMillis(50)).isEmpty()).isTrue();
        }
    }

    @Test
    void theCursorMovesPastABatchWithTheNextPoll() {
        // given a subscriber that read and acknowledged the first of two batches
        publish(40);
        CursorStore store = CursorStores.memory();
        try (Subscriber subscriber = harness.runtime.subscriber(
                SubscriberOptions.builder().topic(TOPIC).cursorStore(store).build())) {
            Batch first = subscriber.poll(20, Duration.ofSeconds(1));
            subscriber.ack(first);
            var before = subscriber.cursor();

            // when it polls the next batch
            Batch second = subscriber.poll(20, Duration.ofSeconds(1));

            // then that poll's read carried the ack: the cursor moved and was saved, and the second batch is held
            assertThat(second.events())
                    .extracting(ReceivedEvent::payloadAsString)
                    .first()
                    .isEqualTo("e20");
            assertThat(subscriber.cursor()).isNotEqualTo(before).isEqualTo(store.load());
            assertThat(harness.api.calls("ack")).isZero();
        }
    }

    @Test
    void withAckOnPollOffEveryAckIsACallOfItsOwn() {
        // given 60 events and a subscriber that acknowledges at once
        publish(60);
        try (Subscriber subscriber = harness.runtime.subscriber(
                SubscriberOptions.builder().topic(TOPIC).ackOnPoll(false).build())) {
            // when it reads them all
            List<String> received = readAll(subscriber, 60);

            // then each batch cost a read and an ack, as before the ack could ride
            assertThat(received).containsExactlyElementsOf(payloads("e", 60));
            assertThat(harness.api.calls("read")).isEqualTo(3);
            assertThat(harness.api.calls("ack")).isEqualTo(3);
        }
    }

    @Test
    void aSynchronousPublishOfOneChunkIsOneCall() {
        // given a publisher (chunks of at most 20 events)
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            // when it publishes one chunk and waits for it, twice
            PublishResult first = publisher.publish(events("a", 10));
            PublishResult second = publisher.publish(events("b", 10));

            // then each publish was one write with its commit riding on it
            assertThat(first).isEqualTo(new PublishResult(10, Durability.REPLICATED));
            assertThat(second).isEqualTo(new PublishResult(10, Durability.REPLICATED));
            assertThat(harness.api.calls("write")).isEqualTo(2);
            assertThat(harness.api.calls("commit")).isZero();
            assertThat(publisher.committedEvents()).isEqualTo(20);
        }
        List<String> expected = new ArrayList<>(payloads("a", 10));
        expected.addAll(payloads("b", 10));
        assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
    }

    @Test
    void withCommitOnWriteOffEveryCommitIsACallOfItsOwn() {
        try (Publisher publisher = harness.runtime.publisher(
                PublisherOptions.builder().topic(TOPIC).commitOnWrite(false).build())) {
            publisher.publish(events("a", 10));
            publisher.publish(events("b", 10));

            assertThat(harness.api.calls("write")).isEqualTo(2);
            assertThat(harness.api.calls("commit")).isEqualTo(2);
        }
        assertThat(harness.kafka.payloads(TOPIC)).hasSize(20);
    }

    @Test
    void aPublishOfManyChunksIsCommittedInOrder() {
        // given a publisher with the session's window of 4 chunks of 20 events
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            // when one publish of 130 events (7 chunks) is written
            publisher.publish(events("e", 130));

            // then every event is committed once, in order; a riding commit never adds a call (how many ride depends
            // on how the commits in flight overlap the writes)
            assertThat(publisher.committedEvents()).isEqualTo(130);
            assertThat(harness.api.calls("write")).isEqualTo(7);
            assertThat(harness.api.calls("commit")).isLessThanOrEqualTo(7);
        }
        assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(payloads("e", 130));
    }

    @Test
    void aNodeLostBeforeTheAckRodeDeliversOnlyThatBatchAgain() {
        // given a subscriber that acknowledged batches 1 and 2; batch 1's ack rode on the read of batch 2
        publish(60);
        try (Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            subscriber.ack(subscriber.poll(20, Duration.ofSeconds(1)));
            Batch second = subscriber.poll(20, Duration.ofSeconds(1));
            subscriber.ack(second);

            // when the node is lost before the next poll could carry batch 2's ack
            harness.replaceNode(Fault.Plan.none());

            // then batch 2 comes again (at-least-once), never batch 1, and then batch 3
            List<String> rest = readAll(subscriber, 40);
            assertThat(second.events())
                    .extracting(ReceivedEvent::payloadAsString)
                    .first()
                    .isEqualTo("e20");
            assertThat(rest).isEqualTo(payloads("e", 60).subList(20, 60));
        }
    }

    @Test
    void aNodeOlderThanTheFieldsGetsTheAckAndTheCommitApart() {
        // given a node that ignores ReadRequest.ackSeq and WriteRequest.commit, as an older one would
        harness.replaceNode(new FakeNode(harness.kafka, "old", FakeNode.testLimits(), Fault.Plan.none())
                .olderThanRoundTripFields());

        // when a publisher publishes and a subscriber reads with the new forms on
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            assertThat(publisher.publish(events("e", 10))).isEqualTo(new PublishResult(10, Durability.REPLICATED));
            publisher.publish(events("f", 50));
        }
        List<String> received;
        try (Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            received = readAll(subscriber, 60);
            assertThat(subscriber.poll(20, Duration.ofMillis(50)).isEmpty()).isTrue();
        }

        // then the commits and acks went as calls of their own, and nothing was lost or delivered twice
        List<String> expected = new ArrayList<>(payloads("e", 10));
        expected.addAll(payloads("f", 50));
        assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
        assertThat(received).containsExactlyElementsOf(expected);
        assertThat(harness.api.calls("commit")).isPositive();
        assertThat(harness.api.calls("ack")).isGreaterThanOrEqualTo(3);
    }
}
