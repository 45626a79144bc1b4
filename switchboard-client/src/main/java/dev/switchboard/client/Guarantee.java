package dev.switchboard.client;

/** What a {@link Publisher} promises about each event it reports committed. */
public enum Guarantee {
    /**
     * The default: after a backend node fails, the chunks without a commit answer are sent again, so an event may
     * be stored twice (both copies with the same {@link ReceivedEvent#id()}).
     */
    AT_LEAST_ONCE,
    /**
     * Each event is stored exactly once, also across backend failures: each chunk commits in a Kafka transaction
     * with the writer's state, and a new session fences the old one. Give the publisher a stable writer id so a
     * restarted application continues the same writer; readers see only committed transactions.
     */
    EXACTLY_ONCE
}
