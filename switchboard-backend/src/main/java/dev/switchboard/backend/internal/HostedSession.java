package dev.switchboard.backend.internal;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One session hosted on this node: its serial request queue, idle tracking and disposal. Subclasses run a
 * session state machine of switchboard-core and perform its effects against Kafka.
 *
 * <p>Implementation notes: {@link #handle} and {@link #release} only ever run on the session's serial queue,
 * so subclass state needs no locking. {@link #dispose} may be called from any thread: it marks the session
 * disposed at once (later tasks answer SESSION_LOST), wakes a blocked long poll and queues the release.
 */
public abstract class HostedSession {
    private final SessionId id;
    private final String topic;
    private final SerialQueue queue;
    private final Clock clock;
    private final AtomicBoolean disposed = new AtomicBoolean();
    private volatile long lastActivityMillis;

    HostedSession(SessionId id, String topic, Executor executor, Clock clock) {
        this.id = id;
        this.topic = topic;
        this.queue = new SerialQueue(executor);
        this.clock = clock;
        this.lastActivityMillis = clock.millis();
    }

    public SessionId id() {
        return id;
    }

    public String topic() {
        return topic;
    }

    public abstract SessionMode mode();

    /** Queues a request behind the session's earlier ones; the future fails with what {@link #handle} threw. */
    public CompletableFuture<SwitchResponse> submit(SwitchRequest request) {
        lastActivityMillis = clock.millis();
        return queue.submit(() -> {
            try {
                if (disposed.get()) {
                    throw SwitchboardException.of(ErrorCode.SESSION_LOST, "session was disposed or expired");
                }
                return handle(request);
            } finally {
                lastActivityMillis = clock.millis();
            }
        });
    }

    /** Disposes the session; a second call does nothing. The future completes once resources are released. */
    public CompletableFuture<Void> dispose() {
        if (disposed.compareAndSet(false, true)) {
            wake();
            return queue.submit(() -> {
                release();
                return null;
            });
        }
        return queue.idle();
    }

    public boolean disposed() {
        return disposed.get();
    }

    /** True when no request is running or queued and the last one ended more than {@code ttl} ago. */
    public boolean idleLongerThan(Duration ttl) {
        return queue.pending() == 0 && clock.millis() - lastActivityMillis > ttl.toMillis();
    }

    /** Completes once every request queued so far has been handled. */
    public CompletableFuture<Void> idle() {
        return queue.idle();
    }

    /** Ends a blocked long poll early (drain, dispose); safe from any thread. */
    public abstract void wake();

    /** Handles one request of this session, on its serial queue. */
    abstract SwitchResponse handle(SwitchRequest request);

    /** Runs the machine's dispose and releases what the session holds, on its serial queue. */
    abstract void release();
}
