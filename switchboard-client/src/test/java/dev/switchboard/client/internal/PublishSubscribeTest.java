package dev.switchboard.client.internal;

import static dev.switchboard.client.internal.InProcessHarness.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.client.Batch;
import dev.switchboard.client.CursorStore;
import dev.switchboard.client.CursorStores;
import dev.switchboard.client.Durability;
import dev.switchboard.client.Event;
import dev.switchboard.client.PublishResult;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.client.fake.Fault;
import dev.switchboard.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher and subscriber against a well-behaved fake backend, through the in-process API tier. */
class PublishSubscribeTest {
    private final InProcessHarness harness = new InProcessHarness(Fault.Plan.none(), 0, RetryPolicy.defaults());

    @AfterEach
    void tearDown() {
        harness.close();
    }

    static List<Event> events(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> Event.of(prefix + i)).toList();
    }

    static List<String> payloads(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    /** Polls and acknowledges until {@code count} events arrived. */
    static List<ReceivedEvent> readAll(Subscriber subscriber, int count) {
        List<ReceivedEvent> received = new ArrayList<>();
        int emptyPolls = 0;
        while (received.size() < count && emptyPolls < 20) {
            Batch batch = subscriber.poll(30, Duration.ofMillis(100));
            emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
            received.addAll(batch.events());
            subscriber.ack(batch);
        }
        return received;
    }

    @Test
    void publishedEventsAreReadBackInOrder() {
        // given a publisher whose chunks (20 events) and window (4 chunks) force many pipelined writes
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            // when publishing with every style
            PublishResult sync = publisher.publish(events("sync-", 130));
            CompletableFuture<PublishResult> first = publisher.publishAsync(events("async-a-", 45));
            CompletableFuture<PublishResult> second = publisher.publishAsync(events("async-b-", 45));
            events("sent-", 30).forEach(publisher::send);
            publisher.flush();

            // then everything is committed, in order, and read back in that order with distinct ids
            assertThat(sync).isEqualTo(new PublishResult(130, Durability.REPLICATED));
            assertThat(first).isCompletedWithValue(new PublishResult(45, Durability.REPLICATED));
            assertThat(second).isCompletedWithValue(new PublishResult(45, Durability.REPLICATED));
            List<String> expected = new ArrayList<>(payloads("sync-", 130));
            expected.addAll(payloads("async-a-", 45));
            expected.addAll(payloads("async-b-", 45));
            expected.addAll(payloads("sent-", 30));
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
            List<ReceivedEvent> received = readAll(subscriber, expected.size());
            assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(expected);
            assertThat(received).extracting(ReceivedEvent::offset).isSorted().doesNotHaveDuplicates();
            assertThat(received)
                    .extracting(event -> event.id().orElseThrow())
                    .doesNotHaveDuplicates()
                    .allMatch(id -> id.startsWith(publisher.writerId() + ":"));
        }
    }

    @Test
    void keysHeadersAndTimestampsSurviveTheRoundTrip() {
        // given an event with every part set
        Event event = Event.builder()
                .key("customer-7")
                .payload("hello")
                .header("trace", "abc")
                .timestamp(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            // when it is published and read
            publisher.publish(List.of(event));
            ReceivedEvent received = readAll(subscriber, 1).getFirst();

            // then the parts are intact and Switchboard's id header was added
            assertThat(received.key())
                    .hasValueSatisfying(key -> assertThat(new String(key)).isEqualTo("customer-7"));
            assertThat(received.payloadAsString()).isEqualTo("hello");
            assertThat(received.event().header("trace"))
                    .hasValueSatisfying(v -> assertThat(v).isEqualTo("abc".getBytes()));
            assertThat(received.event().timestamp()).contains(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
            assertThat(received.id()).contains(publisher.writerId() + ":1:0");
        }
    }

    @Test
    void pollingAgainBeforeAcknowledgingIsRefused() {
        // given a subscriber holding an unacknowledged batch
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            publisher.publish(events("e", 3));
            Batch batch = subscriber.poll(10, Duration.ofSeconds(1));
            assertThat(batch.size()).isEqualTo(3);

            // when it polls again, then it is told to acknowledge first
            assertThatThrownBy(subscriber::poll)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ack(batch)");

            // and after the acknowledgement it may poll, and times out empty
            subscriber.ack(batch);
            subscriber.ack(batch); // a repeated acknowledgement is harmless
            assertThat(subscriber.poll(10, Duration.ofMillis(50)).isEmpty()).isTrue();
            assertThat(subscriber.cursor()).isPresent();
        }
    }

    @Test
    void aSubscriberResumesFromItsFileCursorWithoutLossOrDuplicates(@TempDir Path dir) {
        // given 60 published events and a subscriber that acknowledged the first 30 into a cursor file
        CursorStore store = CursorStores.file(dir.resolve("cursors/orders.cursor"));
        SubscriberOptions options =
                SubscriberOptions.builder().topic(TOPIC).cursorStore(store).build();
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            publisher.publish(events("e", 60));
        }
        List<ReceivedEvent> firstHalf = new ArrayList<>();
        try (Subscriber subscriber = harness.runtime.subscriber(options)) {
            while (firstHalf.size() < 30) {
                Batch batch = subscriber.poll(10, Duration.ofSeconds(1));
                firstHalf.addAll(batch.events());
                subscriber.ack(batch);
            }
            // an unacknowledged batch at the end must come again
            assertThat(subscriber.poll(10, Duration.ofSeconds(1)).isEmpty()).isFalse();
        }

        // when a new subscriber starts from the same file
        List<ReceivedEvent> secondHalf;
        try (Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.builder()
                .topic(TOPIC)
                .cursorStore(CursorStores.file(dir.resolve("cursors/orders.cursor")))
                .build())) {
            secondHalf = readAll(subscriber, 30);
        }

        // then together they saw every event exactly once
        List<String> all = new ArrayList<>();
        firstHalf.forEach(event -> all.add(event.payloadAsString()));
        secondHalf.forEach(event -> all.add(event.payloadAsString()));
        assertThat(all).containsExactlyElementsOf(payloads("e", 60));
    }

    @Test
    void anOversizedEventFailsItsPublishOnlyAndNothingOfItIsWritten() {
        try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            // given a publish whose second event is larger than the session allows (64 KiB)
            List<Event> events = List.of(Event.of("small"), Event.of(new byte[70_000]));

            // when it is published, then it fails clearly
            assertThatThrownBy(() -> publisher.publish(events))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                    .hasMessageContaining("event 2 of 2 has 70000 bytes")
                    .hasMessageContaining("65536");

            // and the publisher carries on
            publisher.publish(List.of(Event.of("after")));
        }
        assertThat(harness.kafka.payloads(TOPIC)).containsExactly("after");
    }

    @Test
    void anUnknownTopicFailsWhenThePublisherIsCreated() {
        assertThatThrownBy(() -> harness.runtime.publisher(PublisherOptions.of("no-such-topic")))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND))
                .hasMessageContaining("no-such-topic");
        assertThatThrownBy(() -> harness.runtime.subscriber(SubscriberOptions.of("no-such-topic")))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND));
    }

    @Test
    void closedPublishersAndSubscribersRefuseWork() {
        Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC));
        Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC));
        publisher.send(Event.of("buffered"));

        publisher.close();
        subscriber.close();

        // closing flushed the buffered event
        assertThat(harness.kafka.payloads(TOPIC)).containsExactly("buffered");
        assertThatThrownBy(() -> publisher.publish(List.of(Event.of("x")))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(subscriber::poll).isInstanceOf(IllegalStateException.class);
    }
}
