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
 *     then; false: every ack is a call of its own and saves the cursor before it returns
 */
public record SubscriberOptions(
        String topic,
        StartPosition start,
        CursorStore cursorStore,
        int maxEvents,
        Duration maxWait,
        Optional<Duration> retryBudget,
        boolean ackOnPoll) {
    /** The default number of events per batch. */
    public static final int DEFAULT_MAX_EVENTS = 500;

    /** The default long-poll wait. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(5);

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

        /** The options; throws {@link IllegalArgumentException} naming an invalid option. */
        public SubscriberOptions build() {
            return new SubscriberOptions(
                    PublisherOptions.requireText("topic", topic),
                    start,
                    cursorStore == null ? CursorStores.memory() : cursorStore,
                    maxEvents,
                    maxWait,
                    Optional.ofNullable(retryBudget),
                    ackOnPoll);
        }
    }
}
