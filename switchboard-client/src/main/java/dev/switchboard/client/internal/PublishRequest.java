package dev.switchboard.client.internal;

import dev.switchboard.client.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One publish: its events and the future that completes when all of them are committed. The count of its chunks
 * not yet known committed is guarded by the {@link WritePipeline}'s lock.
 */
final class PublishRequest {
    private final List<Event> events;
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    private int unconfirmedChunks;

    PublishRequest(List<Event> events) {
        this.events = List.copyOf(events);
    }

    List<Event> events() {
        return events;
    }

    CompletableFuture<Void> future() {
        return future;
    }

    void expectChunks(int chunks) {
        unconfirmedChunks = chunks;
    }

    /** Counts one chunk as committed; true when it was the last one. */
    boolean chunkConfirmed() {
        return --unconfirmedChunks == 0;
    }
}
