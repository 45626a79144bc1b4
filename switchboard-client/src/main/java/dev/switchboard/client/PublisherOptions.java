package dev.switchboard.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Publisher} writes to and how it sizes its requests.
 *
 * @param topic the topic to publish to
 * @param writerId the writer's stable identity; a publisher created again with the same writer id after a crash
 *     continues that writer's chunk numbering. Empty: a random id per publisher.
 * @param chunkEvents the most events per chunk (one write request), further capped by the session's limits
 * @param window the most chunks written but not yet known committed; empty: as many as the session allows.
 *     Always capped by the session's write window.
 * @param retryBudget how long this publisher rides out an outage (retrying requests, replacing sessions) before
 *     it fails every waiting call; empty: the client's {@link RetryPolicy#budget()}
 * @param guarantee at-least-once (default) or exactly-once
 * @param commitOnWrite true (the default): when the publisher would commit right after a write (no commit in flight,
 *     and nothing more to write at once or the window full), the commit rides on that write, one call instead of
 *     two; false: every commit is a call of its own
 * @param oneChunkPerPublish each publish is sent as exactly one chunk, numbered in the order of the publishes, so
 *     that chunk {@code n} of a writer holds the {@code n}-th publish since {@link Publisher#startedAfterChunk()}.
 *     A publish that does not fit one chunk of the session (its event and byte limits), and any publish the server
 *     refuses, then fails the publisher for good instead of only that publish: a later publish must never take
 *     its chunk number. Off by default.
 */
public record PublisherOptions(
        String topic,
        Optional<String> writerId,
        int chunkEvents,
        OptionalInt window,
        Optional<Duration> retryBudget,
        Guarantee guarantee,
        boolean commitOnWrite,
        boolean oneChunkPerPublish) {
    /** The default number of events per chunk. */
    public static final int DEFAULT_CHUNK_EVENTS = 500;

    /** Validates the options; the messages name the option. */
    public PublisherOptions {
        requireText("topic", topic);
        Objects.requireNonNull(writerId, "writerId");
        writerId.ifPresent(id -> requireText("writerId", id));
        if (chunkEvents < 1) {
            throw new IllegalArgumentException("chunkEvents must be at least 1, got " + chunkEvents);
        }
        Objects.requireNonNull(window, "window");
        if (window.isPresent() && window.getAsInt() < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window.getAsInt());
        }
        Objects.requireNonNull(retryBudget, "retryBudget");
        retryBudget.ifPresent(RetryPolicy::requireBudget);
        Objects.requireNonNull(guarantee, "guarantee");
    }

    /** Options for {@code topic} with every default. */
    public static PublisherOptions of(String topic) {
        return builder().topic(topic).build();
    }

    /** A builder; only the topic is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code value}, unless it is null or blank: then an {@link IllegalArgumentException} naming the option. */
    static String requireText(String name, @Nullable String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    /** Builds {@link PublisherOptions}. */
    public static final class Builder {
        private @Nullable String topic;
        private @Nullable String writerId;
        private int chunkEvents = DEFAULT_CHUNK_EVENTS;
        private OptionalInt window = OptionalInt.empty();
        private @Nullable Duration retryBudget;
        private Guarantee guarantee = Guarantee.AT_LEAST_ONCE;
        private boolean commitOnWrite = true;
        private boolean oneChunkPerPublish;

        private Builder() {}

        /** The topic to publish to (required). */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** A stable writer id, to continue a writer's numbering across restarts. */
        public Builder writerId(String writerId) {
            this.writerId = Objects.requireNonNull(writerId, "writerId");
            return this;
        }

        /** The most events per chunk; default {@value PublisherOptions#DEFAULT_CHUNK_EVENTS}. */
        public Builder chunkEvents(int chunkEvents) {
            this.chunkEvents = chunkEvents;
            return this;
        }

        /** The most uncommitted chunks in flight; capped by the session's write window. */
        public Builder window(int window) {
            this.window = OptionalInt.of(window);
            return this;
        }

        /**
         * How long the publisher rides out an outage before it fails every waiting call; default the client's
         * {@link RetryPolicy#budget()} (2 minutes unless changed).
         */
        public Builder retryBudget(Duration retryBudget) {
            this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
            return this;
        }

        /** At-least-once (the default) or exactly-once; see {@link Guarantee}. */
        public Builder guarantee(Guarantee guarantee) {
            this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
            return this;
        }

        /**
         * Whether a commit may ride on the write before it (default true: one call instead of two when the publisher
         * would commit right after the write) or is always a call of its own (false).
         */
        public Builder commitOnWrite(boolean commitOnWrite) {
            this.commitOnWrite = commitOnWrite;
            return this;
        }

        /**
         * Each publish as exactly one chunk (default false): the {@code n}-th publish is chunk
         * {@code startedAfterChunk() + n} of the writer, so a program that cuts its input into publishes the same
         * way every time can map the writer's committed chunks back to its input; see
         * {@link PublisherOptions#oneChunkPerPublish()}.
         */
        public Builder oneChunkPerPublish(boolean oneChunkPerPublish) {
            this.oneChunkPerPublish = oneChunkPerPublish;
            return this;
        }

        /** The options; throws {@link IllegalArgumentException} naming an invalid option. */
        public PublisherOptions build() {
            return new PublisherOptions(
                    requireText("topic", topic),
                    Optional.ofNullable(writerId),
                    chunkEvents,
                    window,
                    Optional.ofNullable(retryBudget),
                    guarantee,
                    commitOnWrite,
                    oneChunkPerPublish);
        }
    }
}
