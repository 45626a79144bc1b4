package dev.switchboard.client;

import java.time.Duration;
import java.util.Optional;

/**
 * Reads one topic through a read session, one batch at a time: {@code poll}, process, {@code ack}, repeat.
 *
 * <p>Delivery is at-least-once: a batch that was not acknowledged is delivered again (after a failed poll, a lost
 * session or a restart from the {@link CursorStore}); an acknowledged batch is never delivered again by a
 * subscriber resuming from the saved cursor. Lost sessions are re-allocated from the last saved cursor without
 * the application noticing, apart from the redelivery. Use from one thread at a time.
 */
public interface Subscriber extends AutoCloseable {

    /** {@link #poll(int, Duration)} with the options' {@code maxEvents} and {@code maxWait}. */
    Batch poll();

    /**
     * The next batch of at most {@code maxEvents} events, waiting up to {@code maxWait} for some to arrive; an
     * empty batch when none did. Polling again without acknowledging a non-empty batch throws
     * {@link IllegalStateException}; after a poll that threw, the next poll returns the same batch.
     */
    Batch poll(int maxEvents, Duration maxWait);

    /**
     * Acknowledges {@code batch} and saves the new cursor to the {@link CursorStore}. By default
     * ({@link SubscriberOptions#ackOnPoll()}) the acknowledgement rides on the next poll's read, one call per batch,
     * or is sent by {@link #close()}: the cursor is saved then. Acknowledging an empty or an already acknowledged
     * batch does nothing. If the session was lost before the acknowledgement reached it, the batch will be delivered
     * again by the next poll.
     */
    void ack(Batch batch);

    /**
     * The cursor of the last acknowledged batch the backend confirmed, or of the session's start; empty before the
     * backend gave one. With {@link SubscriberOptions#ackOnPoll()} it moves past a batch at the next poll or close.
     */
    Optional<String> cursor();

    /** Sends an acknowledgement still pending and releases the session. Later calls fail with {@link IllegalStateException}. */
    @Override
    void close();
}
