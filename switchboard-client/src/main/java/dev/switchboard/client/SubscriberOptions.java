package dev.switchboard.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Subscriber} reads and where it keeps its position.
 *
 * @param topic the topic to read
 * @param start where to start when {@code cursorStore} holds no cursor
 * @param cursorStore where the position is loaded from and saved to after every acknowledged batch
 * @param maxEvents the most events per batch for {@link Subscriber#poll()}, capped by the session's limits
 * @param maxWait how long {@link Subscriber#poll()} waits for events before returning an empty batch
 * @param retryBudget how long this subscriber rides out an outage (retrying requests, replacing sessions) before
 *     a call fails; empty: the client's {@link RetryPolicy#budget()}
 * @param ackOnPoll true (the default): {@link Subscriber#ack} sends nothing, the acknowledgement rides on the next
 *     poll's read (one call per batch instead of two) or is sent by {@link Subscriber#close}, and the cursor is saved
 *     then; false: every ack is a call of its own and saves the cursor before it returns (polling only: a streamed
 *     read's acks are never calls)
 * @param streamWindow on the binary TCP transport (every URL {@code sb://} or {@code sbs://}), read by streaming
 *     delivery with a credit window of this many batches (default {@value #DEFAULT_STREAM_WINDOW}; the API node
 *     may grant fewer): the node pushes batches as they come, {@link Subscriber#ack} saves the cursor the batch
 *     came with and returns its credit, without a call; the subscriber buffers at most this many batches. 0: poll
 *     with a read call per batch, as over HTTP (which always polls)
 */
public record SubscriberOptions(
        String topic,
        StartPosition start,
        CursorStore cursorStore,
        int maxEvents,
        Duration maxWait,
        Optional<Duration> retryBudget,
        boolean ackOnPoll,
        int streamWindow) {
    /** The default number of events per batch. */
    public static final int DEFAULT_MAX_EVENTS = 500;

    /** The default long-poll wait. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(5);

    /** The default credit window of a streamed read, in batches. */
    public static final int DEFAULT_STREAM_WINDOW = 4;

    /** The largest credit window a subscriber asks for. */
    public static final int MAX_STREAM_WINDOW = 64;

    /** Validates the options; the messages name the option. */
    public SubscriberOptions {
        PublisherOptions.requireText("topic", topic);
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(cursorStore, "cursorStore");
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, got " + maxEvents);
        }
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
        Objects.requireNonNull(retryBudget, "retryBudget");
        retryBudget.ifPresent(RetryPolicy::requireBudget);
        if (streamWindow < 0 || streamWindow > MAX_STREAM_WINDOW) {
            throw new IllegalArgumentException(
                    "streamWindow must be between 0 (polling) and " + MAX_STREAM_WINDOW + ", got " + streamWindow);
        }
    }

    /** As before streaming delivery: the canonical constructor with the default {@code streamWindow}. */
    public SubscriberOptions(
            String topic,
            StartPosition start,
            CursorStore cursorStore,
            int maxEvents,
            Duration maxWait,
            Optional<Duration> retryBudget,
            boolean ackOnPoll) {
        this(topic, start, cursorStore, maxEvents, maxWait, retryBudget, ackOnPoll, DEFAULT_STREAM_WINDOW);
    }

    /** Options for {@code topic} with every default: from the earliest event, cursor kept in memory. */
    public static SubscriberOptions of(String topic) {
        return builder().topic(topic).build();
    }

    /** A builder; only the topic is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link SubscriberOptions}. */
    public static final class Builder {
        private @Nullable String topic;
        private StartPosition start = StartPosition.earliest();
        private @Nullable CursorStore cursorStore;
        private int maxEvents = DEFAULT_MAX_EVENTS;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private @Nullable Duration retryBudget;
        private boolean ackOnPoll = true;
        private int streamWindow = DEFAULT_STREAM_WINDOW;

        private Builder() {}

        /** The topic to read (required). */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Where to start without a saved cursor; default {@link StartPosition#earliest()}. */
        public Builder start(StartPosition start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /** Where the cursor is kept; default {@link CursorStore#memory()}. */
        public Builder cursorStore(CursorStore cursorStore) {
            this.cursorStore = Objects.requireNonNull(cursorStore, "cursorStore");
            return this;
        }

        /** The most events per batch; default {@value SubscriberOptions#DEFAULT_MAX_EVENTS}. */
        public Builder maxEvents(int maxEvents) {
            this.maxEvents = maxEvents;
            return this;
        }

        /** How long a poll waits for events; default 5 s. */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
            return this;
        }

        /**
         * How long the subscriber rides out an outage before a call fails; default the client's
         * {@link RetryPolicy#budget()} (2 minutes unless changed).
         */
        public Builder retryBudget(Duration retryBudget) {
            this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
            return this;
        }

        /**
         * Whether an ack rides on the next poll (default true: one call per batch; the cursor is saved with that poll
         * or on close) or is sent at once (false: the cursor is saved before {@link Subscriber#ack} returns).
         */
        public Builder ackOnPoll(boolean ackOnPoll) {
            this.ackOnPoll = ackOnPoll;
            return this;
        }

        /**
         * The credit window of streamed reads on the TCP transport, in batches; default
         * {@value SubscriberOptions#DEFAULT_STREAM_WINDOW}; 0 polls instead (as HTTP URLs always do).
         */
        public Builder streamWindow(int streamWindow) {
            this.streamWindow = streamWindow;
            return this;
        }

        /** The options; throws {@link IllegalArgumentException} naming an invalid option. */
        public SubscriberOptions build() {
            return new SubscriberOptions(
                    PublisherOptions.requireText("topic", topic),
                    start,
                    cursorStore == null ? CursorStores.memory() : cursorStore,
                    maxEvents,
                    maxWait,
                    Optional.ofNullable(retryBudget),
                    ackOnPoll,
                    streamWindow);
        }
    }
}
