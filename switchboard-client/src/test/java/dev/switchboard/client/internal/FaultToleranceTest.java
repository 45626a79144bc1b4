package dev.switchboard.client.internal;

import static dev.switchboard.client.internal.InProcessHarness.TOPIC;
import static dev.switchboard.client.internal.InProcessHarness.fastRetries;
import static dev.switchboard.client.internal.PublishSubscribeTest.events;
import static dev.switchboard.client.internal.PublishSubscribeTest.payloads;
import static dev.switchboard.client.internal.PublishSubscribeTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.PublishResult;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.client.fake.FakeNode;
import dev.switchboard.client.fake.Fault;
import dev.switchboard.protocol.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SDK against a backend and a network that lose, refuse and forget things. */
class FaultToleranceTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 23, 37, 41})
    void lostMessagesAndRefusalsAreRetriedWithoutLossOrDuplicates(long seed) {
        // given a network losing 15% of requests and answers, and a node refusing or losing 15% of its answers
        try (InProcessHarness harness = new InProcessHarness(
                        Fault.Plan.random(seed, 0.15), 0.15, fastRetries(Duration.ofMinutes(1)), seed);
                Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC));
                Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            // when publishing and reading 200 events
            List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
            for (int part = 0; part < 4; part++) {
                futures.add(publisher.publishAsync(events("p" + part + "-", 50)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            List<ReceivedEvent> received = readAll(subscriber, 200);

            // then each event is in Kafka once, each chunk was staged once, and the reader saw each once, in order
            List<String> expected = new ArrayList<>();
            for (int part = 0; part < 4; part++) {
                expected.addAll(payloads("p" + part + "-", 50));
            }
            assertThat(harness.api.lostCount()).isPositive();
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
            assertThat(harness.kafka.stagings())
                    .isNotEmpty()
                    .allSatisfy((chunk, times) ->
                            assertThat(times).as("stagings of chunk %s", chunk).isEqualTo(1));
            assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aWriterResendsUncommittedChunksWithTheirNumbersAfterTheSessionIsLost() {
        // given a node that stages chunks but never gets to commit them
        Fault.Plan noCommits = request -> request.isSetCommit() ? Fault.REFUSE_UNAVAILABLE : Fault.NONE;
        try (InProcessHarness harness = new InProcessHarness(noCommits, 0, fastRetries(Duration.ofMinutes(5)));
                Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            String writer = publisher.writerId();
            CompletableFuture<PublishResult> published = publisher.publishAsync(events("e", 50)); // chunks 1..3
            await().until(() -> harness.kafka
                    .stagings()
                    .keySet()
                    .containsAll(List.of(writer + ":1", writer + ":2", writer + ":3")));

            // when that node dies and a healthy one takes over
            harness.replaceNode(Fault.Plan.none());

            // then the publish completes, the chunks were staged again under the same numbers, nothing is doubled
            published.join();
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(payloads("e", 50));
            assertThat(harness.kafka.stagings())
                    .containsEntry(writer + ":1", 2)
                    .containsEntry(writer + ":2", 2)
                    .containsEntry(writer + ":3", 2);
            assertThat(harness.kafka.ids(TOPIC)).startsWith(writer + ":1:0").endsWith(writer + ":3:9");
        }
    }

    @Test
    void chunksTheNewSessionReportsCommittedAreNotResent() {
        // given a node that commits chunks but whose commit answers never arrive
        Fault.Plan lostCommitAnswers = request -> request.isSetCommit() ? Fault.LOSE_ANSWER : Fault.NONE;
        try (InProcessHarness harness = new InProcessHarness(lostCommitAnswers, 0, fastRetries(Duration.ofMinutes(5)));
                Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            CompletableFuture<PublishResult> published = publisher.publishAsync(events("e", 10));
            await().until(() -> harness.kafka.payloads(TOPIC).size() == 10);

            // when the node dies, and the new session says chunk 1 is the writer's last committed
            harness.replaceNode(Fault.Plan.none());

            // then the publish completes without sending the chunk again
            published.join();
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(payloads("e", 10));
            assertThat(harness.kafka.stagings()).containsEntry(publisher.writerId() + ":1", 1);
        }
    }

    @Test
    void aNewSessionReportingMoreCommittedThanThisWriterNumberedFailsThePublisherInsteadOfConfirming() {
        // given a node that never commits the chunks of the first session that asks
        AtomicReference<String> blocked = new AtomicReference<>();
        Fault.Plan blockFirstCommitter = request -> {
            if (!commits(request)) {
                return Fault.NONE;
            }
            String session = request.isSetCommit()
                    ? request.getCommit().getSessionId()
                    : request.getWrite().getSessionId();
            blocked.compareAndSet(null, session);
            return blocked.get().equals(session) ? Fault.REFUSE_UNAVAILABLE : Fault.NONE;
        };
        PublisherOptions shared =
                PublisherOptions.builder().topic(TOPIC).writerId("shared").build();
        try (InProcessHarness harness =
                        new InProcessHarness(blockFirstCommitter, 0, fastRetries(Duration.ofMinutes(5)));
                Publisher first = harness.runtime.publisher(shared)) {
            CompletableFuture<PublishResult> pending = first.publishAsync(events("first-", 10)); // chunk 1
            await().until(() -> blocked.get() != null);
            // and a second publisher under the same writer id that commits chunks 1..3
            try (Publisher second = harness.runtime.publisher(shared)) {
                for (int i = 0; i < 3; i++) {
                    second.publish(events("second-" + i + "-", 10));
                }
            }

            // when the first publisher's node dies and its new session says chunk 3 is the last committed
            harness.replaceNode(Fault.Plan.none());

            // then its pending publish fails: chunk 3 is beyond the newest chunk it numbered (1); a misuse of the
            // writer id (or commits of an earlier run landing late), not an internal error
            assertThatThrownBy(pending::join)
                    .hasCauseInstanceOf(SwitchboardClientException.class)
                    .hasMessageContaining("another publisher using the same writer id")
                    .hasMessageContaining("Guarantee.EXACTLY_ONCE can")
                    .cause()
                    .extracting(e -> ((SwitchboardClientException) e).code())
                    .isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(harness.kafka.payloads(TOPIC)).noneMatch(payload -> payload.startsWith("first-"));
        }
    }

    /** A commit call, or a write carrying a commit. */
    private static boolean commits(dev.switchboard.protocol.thrift.SwitchRequest request) {
        return request.isSetCommit()
                || (request.isSetWrite() && request.getWrite().isCommit());
    }

    @Test
    void aReaderResumesFromItsCursorAfterTheSessionIsLost() {
        // acks sent at once: with acks riding on the next poll (the default), a node lost before that poll delivers
        // the last acknowledged batch again (RoundTripsTest)
        try (InProcessHarness harness =
                        new InProcessHarness(Fault.Plan.none(), 0, fastRetries(Duration.ofSeconds(30)));
                Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.builder()
                        .topic(TOPIC)
                        .ackOnPoll(false)
                        .build())) {
            try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("e", 40));
            }
            // given a reader that acknowledged 10 events and holds 10 more unacknowledged
            Batch first = subscriber.poll(10, Duration.ofSeconds(1));
            subscriber.ack(first);
            Batch unacknowledged = subscriber.poll(10, Duration.ofSeconds(1));

            // when its node dies before the acknowledgement arrives
            harness.replaceNode(Fault.Plan.none());
            subscriber.ack(unacknowledged);

            // then the unacknowledged batch comes again, and everything after it
            List<ReceivedEvent> rest = readAll(subscriber, 30);
            assertThat(first.events())
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("e", 10));
            assertThat(unacknowledged.events())
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("e", 20).subList(10, 20));
            assertThat(rest)
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("e", 40).subList(10, 40));

            // and a node dying between batches is invisible to the reader
            harness.replaceNode(Fault.Plan.none());
            try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("late", 5));
            }
            assertThat(readAll(subscriber, 5))
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("late", 5));
        }
    }

    @Test
    void afterAFailedPollTheNextPollReturnsTheSameBatch() {
        // given a node whose read answers get lost for now
        AtomicReference<Fault> readFault = new AtomicReference<>(Fault.NONE);
        Fault.Plan plan = request -> request.isSetRead() ? readFault.get() : Fault.NONE;
        ManualClock clock = new ManualClock();
        try (InProcessHarness harness = new InProcessHarness(plan, 0, fastRetries(Duration.ofSeconds(10)), clock);
                Subscriber subscriber = harness.runtime.subscriber(SubscriberOptions.of(TOPIC))) {
            try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
                publisher.publish(events("e", 5));
            }
            readFault.set(Fault.LOSE_ANSWER);

            // when a poll gives up
            assertThatThrownBy(() -> subscriber.poll(10, Duration.ofSeconds(1)))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("retry budget 10.0 s");

            // then, once answers arrive again, the next poll returns the batch the backend had delivered
            readFault.set(Fault.NONE);
            Batch batch = subscriber.poll(10, Duration.ofSeconds(1));
            assertThat(batch.seq()).isEqualTo(1);
            assertThat(batch.events())
                    .extracting(ReceivedEvent::payloadAsString)
                    .containsExactlyElementsOf(payloads("e", 5));
        }
    }

    @Test
    void aWriteTheServerRefusesFailsOnlyItsPublish() {
        // given a node that refuses payloads above 1000 bytes although it advertises 64 KiB
        try (InProcessHarness harness =
                new InProcessHarness(Fault.Plan.none(), 0, fastRetries(Duration.ofSeconds(5)))) {
            harness.replaceNode(new FakeNode(harness.kafka, "strict", FakeNode.testLimits(), Fault.Plan.none(), 1000));
            try (Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
                // when a publish carries a 2000-byte event, then it fails with the server's explanation
                assertThatThrownBy(() -> publisher.publish(List.of(Event.of("ok"), Event.of(new byte[2000]))))
                        .isInstanceOfSatisfying(
                                SwitchboardClientException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                        .hasMessageContaining("max-event-bytes is 1000");

                // and the publisher goes on with the next chunk number
                publisher.publish(List.of(Event.of("after")));
                assertThat(harness.kafka.ids(TOPIC)).containsExactly(publisher.writerId() + ":1:0");
            }
            assertThat(harness.kafka.payloads(TOPIC)).containsExactly("after");
        }
    }

    @Test
    void withOneChunkPerPublishARefusedWriteFailsThePublisherSoNoLaterPublishTakesItsNumber() {
        // given a node that refuses payloads above 1000 bytes, and a publisher sending each publish as one chunk
        try (InProcessHarness harness =
                new InProcessHarness(Fault.Plan.none(), 0, fastRetries(Duration.ofSeconds(5)))) {
            harness.replaceNode(new FakeNode(harness.kafka, "strict", FakeNode.testLimits(), Fault.Plan.none(), 1000));
            PublisherOptions options = PublisherOptions.builder()
                    .topic(TOPIC)
                    .writerId("exact")
                    .chunkEvents(2)
                    .oneChunkPerPublish(true)
                    .build();
            Publisher publisher = harness.runtime.publisher(options);
            assertThat(publisher.startedAfterChunk()).isZero();
            publisher.publish(List.of(Event.of("first")));

            // when the server refuses the second publish's chunk
            assertThatThrownBy(() -> publisher.publish(List.of(Event.of(new byte[2000]))))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));

            // then a later publish fails too, instead of taking chunk number 2
            assertThatThrownBy(() -> publisher.publish(List.of(Event.of("after"))))
                    .isInstanceOf(SwitchboardClientException.class);
            assertThat(harness.kafka.ids(TOPIC)).containsExactly("exact:1:0");
            try {
                publisher.close();
            } catch (SwitchboardClientException expected) {
                // the same failure again
            }

            // and a new publisher of the writer starts after chunk 1; a publish that needs two chunks fails it
            Publisher again = harness.runtime.publisher(options);
            assertThat(again.startedAfterChunk()).isEqualTo(1);
            assertThatThrownBy(() -> again.publish(events("e", 3)))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE))
                    .hasMessageContaining("does not fit one chunk");
            assertThatThrownBy(() -> again.publish(events("f", 1))).isInstanceOf(SwitchboardClientException.class);
            assertThat(harness.kafka.ids(TOPIC)).containsExactly("exact:1:0");
        }
    }

    @Test
    void aPublisherThatRunsOutOfRetriesFailsEveryPublishClearly() {
        // given a node that can never commit (nor take a write carrying a commit), and a publisher whose budget is 30 s
        Fault.Plan noCommits = request -> commits(request) ? Fault.REFUSE_UNAVAILABLE : Fault.NONE;
        ManualClock clock = new ManualClock();
        try (InProcessHarness harness =
                new InProcessHarness(noCommits, 0, fastRetries(Duration.ofMinutes(10)), clock)) {
            Instant start = clock.instant();
            Publisher publisher = harness.runtime.publisher(PublisherOptions.builder()
                    .topic(TOPIC)
                    .retryBudget(Duration.ofSeconds(30))
                    .build());

            // when publishing, then the publish fails with the server's code once the budget is spent
            assertThatThrownBy(() -> publisher.publish(events("e", 3)))
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining(" failed after") // the write carrying the commit, or the commit
                    .hasMessageContaining("retry budget 30.0 s");
            assertThat(Duration.between(start, clock.instant()))
                    .isGreaterThan(Duration.ofSeconds(29))
                    .isLessThan(Duration.ofSeconds(31));
            assertThat(publisher.committedEvents()).isZero();

            // and so does every later publish, and close reports nothing new
            assertThat(publisher.publishAsync(events("f", 1)))
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat()
                    .withCauseInstanceOf(SwitchboardClientException.class);
            publisher.close();
            assertThat(harness.kafka.payloads(TOPIC)).isEmpty();
        }
    }

    @Test
    void aFailingPublisherCompletesEveryWaitingCall() throws Exception {
        // given a publisher whose first publish is committed, then a node that drains and no node to move to
        AtomicReference<Fault> commits = new AtomicReference<>(Fault.NONE);
        AtomicReference<Fault> allocations = new AtomicReference<>(Fault.NONE);
        Fault.Plan plan = request ->
                request.isSetCommit() ? commits.get() : request.isSetAllocate() ? allocations.get() : Fault.NONE;
        ManualClock clock = new ManualClock();
        try (InProcessHarness harness = new InProcessHarness(plan, 0, fastRetries(Duration.ofSeconds(20)), clock)) {
            Publisher publisher = harness.runtime.publisher(
                    PublisherOptions.builder().topic(TOPIC).chunkEvents(10).build());
            publisher.publish(events("first", 25));
            commits.set(Fault.REFUSE_DRAINING);
            allocations.set(Fault.REFUSE_UNAVAILABLE);

            // when more is published, asynchronously and through send
            List<CompletableFuture<?>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiting.add(publisher.publishAsync(events("later" + i + "-", 15)));
            }
            for (int i = 0; i < 30; i++) {
                publisher.send(Event.of("sent " + i));
            }

            // then every waiting call fails with the cause, none waits forever, and the committed count is exact
            CompletableFuture<Void> flushed = CompletableFuture.runAsync(publisher::flush);
            assertThat(flushed)
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOfSatisfying(
                            SwitchboardClientException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .withMessageContaining("injected: unavailable");
            assertThat(waiting)
                    .allSatisfy(future -> assertThat(future)
                            .failsWithin(Duration.ofSeconds(10))
                            .withThrowableThat()
                            .withCauseInstanceOf(SwitchboardClientException.class));
            assertThat(publisher.committedEvents()).isEqualTo(25);
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(payloads("first", 25));
            publisher.close();
        }
    }

    @Test
    void anAllocateThatMeetsADrainingNodeIsRetried() {
        // given a node that answers the first allocation DRAINING (it began to drain after taking the request)
        AtomicInteger allocations = new AtomicInteger();
        Fault.Plan plan = request ->
                request.isSetAllocate() && allocations.incrementAndGet() == 1 ? Fault.REFUSE_DRAINING : Fault.NONE;
        try (InProcessHarness harness = new InProcessHarness(plan, 0, fastRetries(Duration.ofSeconds(30)));
                Publisher publisher = harness.runtime.publisher(PublisherOptions.of(TOPIC))) {
            // when publishing, then the publisher got a session on the next attempt
            publisher.publish(events("e", 5));
            assertThat(allocations).hasValue(2);
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(payloads("e", 5));
        }
    }

    @Test
    void aWriterLeavingADrainingNodeCommitsThereFirstAndResendsNothing() {
        // given a node whose commits do not get through yet, holding staged chunks of a writer
        AtomicBoolean draining = new AtomicBoolean();
        AtomicBoolean commitsPass = new AtomicBoolean();
        Fault.Plan plan = request -> {
            if (request.isSetWrite() && draining.get()) {
                commitsPass.set(true); // a draining node refuses new writes but answers commits, as the backend
                return Fault.REFUSE_DRAINING;
            }
            return request.isSetCommit() && !commitsPass.get() ? Fault.REFUSE_UNAVAILABLE : Fault.NONE;
        };
        try (InProcessHarness harness = new InProcessHarness(plan, 0, fastRetries(Duration.ofMinutes(1)))) {
            Publisher publisher = harness.runtime.publisher(
                    PublisherOptions.builder().topic(TOPIC).chunkEvents(10).build());
            String writer = publisher.writerId();
            CompletableFuture<?> first = publisher.publishAsync(events("a", 20));
            await().until(() -> harness.kafka.stagings().keySet().containsAll(List.of(writer + ":1", writer + ":2")));

            // when the node drains (a new node takes the new sessions) and the writer writes on
            draining.set(true);
            harness.drainAndAttachAnother(Fault.Plan.none());
            CompletableFuture<?> second = publisher.publishAsync(events("b", 10));
            CompletableFuture.allOf(first, second).join();

            // then every event is in Kafka once, and no chunk was staged twice
            List<String> expected = new ArrayList<>(payloads("a", 20));
            expected.addAll(payloads("b", 10));
            assertThat(harness.kafka.payloads(TOPIC)).containsExactlyElementsOf(expected);
            assertThat(harness.kafka.stagings())
                    .containsOnlyKeys(writer + ":1", writer + ":2", writer + ":3")
                    .allSatisfy((chunk, times) ->
                            assertThat(times).as("stagings of %s", chunk).isEqualTo(1));
            publisher.close();
        }
    }
}
