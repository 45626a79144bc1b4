package dev.switchboard.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes events to one topic through a write session. Events are sent in chunks; a publish completes once
 * every one of its events is committed in Kafka (acknowledged by all in-sync replicas).
 *
 * <p>Delivery is at-least-once by default: when the session is lost (a backend node dies or drains) the publisher
 * allocates a new session with the same writer id and resends the chunks the writer's durable state does not hold,
 * with the same chunk numbers. Such a chunk may then be stored twice; both copies carry the same
 * {@link ReceivedEvent#id()}. With {@link Guarantee#EXACTLY_ONCE} each chunk commits in a Kafka transaction with
 * that state, so the resent chunks are exactly those Kafka does not hold and each event is stored once.
 *
 * <p>Events of one publisher are committed in the order they were handed over. A publish that fails (with a
 * {@link SwitchboardClientException}) may have committed a prefix of its events. Any error other than a rejected
 * request ({@code PAYLOAD_TOO_LARGE}, {@code INVALID_REQUEST}) leaves the publisher failed: every outstanding and
 * later publish fails with that error, and the application creates a new publisher (with the same writer id to
 * continue its numbering). An outage is ridden out for the retry budget
 * ({@link RetryPolicy#budget()}, {@link PublisherOptions#retryBudget()}); past it the publisher fails. Thread-safe.
 */
public interface Publisher extends AutoCloseable {

    /**
     * Publishes {@code events} and returns once all of them are committed, saying how they are held; throws if
     * they could not be.
     */
    PublishResult publish(List<Event> events);

    /**
     * Queues {@code events} for publishing and returns at once. The future completes when all of them are
     * committed, with how they are held ({@link PublishResult#durability()}), or fails with a {@link SwitchboardClientException}. Its callbacks run on a virtual thread of their
     * own, never on the publisher's threads, so they may block or publish again.
     */
    CompletableFuture<PublishResult> publishAsync(List<Event> events);

    /** Adds one event to a buffer that is published in chunks; see {@link #flush()}. May block for back-pressure. */
    void send(Event event);

    /** Publishes whatever {@link #send} buffered and blocks until every sent event is committed. */
    void flush();

    /** The writer id this publisher numbers its chunks under. */
    String writerId();

    /**
     * The writer's last committed chunk when this publisher opened, as the writer's durable state said (0 for a
     * writer never seen): every chunk up to it is in Kafka, and this publisher numbers its chunks from one higher.
     * With {@link PublisherOptions#oneChunkPerPublish()}, the {@code n}-th publish is chunk
     * {@code startedAfterChunk() + n}.
     */
    long startedAfterChunk();

    /**
     * How many events are known committed, in the order they were handed over: always the first this many. After
     * a failure, the rest can be published again by a new publisher with the same writer id.
     */
    long committedEvents();

    /** Flushes, then releases the session. Later calls fail with {@link IllegalStateException}. */
    @Override
    void close();
}
