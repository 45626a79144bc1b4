package dev.switchboard.client.internal;

import dev.switchboard.protocol.tcp.TcpFrames;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What arrived for one streamed read, between the connection's reader (which never waits here) and the subscriber
 * (which waits for the next item): at most {@code capacity} batches (the credit window asked for), then the end. A
 * server that pushes more than that broke the window: the stream counts as lost and its batches are dropped, so the
 * inbox never holds more. Thread-safe.
 */
final class StreamInbox implements StreamSink {
    /** What the subscriber takes next. */
    sealed interface Item {}

    record Pushed(TcpFrames.StreamBatch batch) implements Item {}

    /** The server ended the stream. */
    record Ended(TcpFrames.StreamEnd end) implements Item {}

    /** The stream ended without an END (connection lost, GOAWAY, window broken). */
    record Lost(String reason) implements Item {}

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<TcpFrames.StreamBatch> batches;
    private Optional<Item> end = Optional.empty();

    StreamInbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an inbox holds at least one batch, got " + capacity);
        }
        this.capacity = capacity;
        this.batches = new ArrayDeque<>(capacity);
    }

    @Override
    public void batch(TcpFrames.StreamBatch batch) {
        lock.lock();
        try {
            if (end.isPresent()) {
                return; // after the end nothing counts
            }
            if (batches.size() >= capacity) {
                batches.clear();
                end = Optional.of(
                        new Lost("the server pushed more than the credit window of " + capacity + " batches"));
            } else {
                batches.add(batch);
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void end(TcpFrames.StreamEnd ended) {
        finish(new Ended(ended));
    }

    @Override
    public void lost(String reason) {
        finish(new Lost(reason));
    }

    private void finish(Item item) {
        lock.lock();
        try {
            if (end.isEmpty()) {
                end = Optional.of(item);
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next item, waiting at most {@code wait}: the batches in the order they arrived, then the end (which stays,
     * for every later take); empty when nothing came in time.
     */
    Optional<Item> take(Duration wait) throws InterruptedException {
        long left = wait.isNegative() ? 0 : wait.toNanos();
        lock.lock();
        try {
            while (batches.isEmpty() && end.isEmpty()) {
                if (left <= 0) {
                    return Optional.empty();
                }
                left = arrived.awaitNanos(left);
            }
            TcpFrames.StreamBatch next = batches.poll();
            return next != null ? Optional.of(new Pushed(next)) : end;
        } finally {
            lock.unlock();
        }
    }

    /** Batches waiting (for tests). */
    int waiting() {
        lock.lock();
        try {
            return batches.size();
        } finally {
            lock.unlock();
        }
    }
}
