package dev.switchboard.client.internal;

import dev.switchboard.client.Durability;
import dev.switchboard.client.Event;
import dev.switchboard.client.PublishResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One publish: its events and the future that completes when all of them are committed. The count of its chunks
 * not yet known committed is guarded by the {@link WritePipeline}'s lock.
 */
final class PublishRequest {
    private final List<Event> events;
    private final CompletableFuture<PublishResult> future = new CompletableFuture<>();
    private int unconfirmedChunks;
    private Durability durability = Durability.REPLICATED;

    PublishRequest(List<Event> events) {
        this.events = List.copyOf(events);
    }

    List<Event> events() {
        return events;
    }

    CompletableFuture<PublishResult> future() {
        return future;
    }

    void expectChunks(int chunks) {
        unconfirmedChunks = chunks;
    }

    /** Counts one chunk as committed, held as {@code held}; true when it was the last one. */
    boolean chunkConfirmed(Durability held) {
        durability = durability.weakest(held);
        return --unconfirmedChunks == 0;
    }

    /** The result once every chunk is confirmed. */
    PublishResult result() {
        return new PublishResult(events.size(), durability);
    }
}
