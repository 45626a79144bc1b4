package dev.switchboard.backend.internal;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * One session hosted on this node: its serial request queue, idle tracking and disposal. Subclasses run a
 * session state machine of switchboard-core and perform its effects against Kafka.
 *
 * <p>Implementation notes: {@link #handle} and {@link #release} only ever run on the session's serial queue,
 * so subclass state needs no locking. Its life on the node ({@link HostedLifecycle}: serving, parked, disposed) is
 * one atomic reference moved by the pure transition function, from any thread. {@link #dispose} marks the session
 * disposed at once (later tasks answer SESSION_LOST), wakes a blocked long poll and queues the release. An answer
 * may wait off the queue ({@link #handleAsync}, {@link #awaiting}), so a commit waiting for Kafka does not hold
 * up the session's later writes; its continuation runs on the queue again ({@link #onQueue}).
 */
public abstract class HostedSession {
    private final SessionId id;
    private final String topic;
    private final SerialQueue queue;
    private final Clock clock;
    private final AtomicReference<HostedLifecycle.State> life = new AtomicReference<>(HostedLifecycle.INITIAL);
    private final Set<CompletableFuture<?>> waiting = ConcurrentHashMap.newKeySet();
    private volatile long lastActivityMillis;

    HostedSession(SessionId id, String topic, Executor executor, Clock clock) {
        this.id = id;
        this.topic = topic;
        this.queue = new SerialQueue(executor);
        this.clock = clock;
        this.lastActivityMillis = clock.millis();
    }

    /** The node's clock: every timeout, lease and idle expiry of the session is measured by it. */
    final Clock clock() {
        return clock;
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
        return submit(request, OptionalLong.empty(), () -> {});
    }

    /**
     * As {@link #submit(SwitchRequest)}; when its turn comes after {@code deadlineMillis} (by the node's clock: its
     * sender has stopped waiting for it), the request is not run: {@code onExpired} runs and the future fails
     * UNAVAILABLE. What the request would have done is left to the sender's retry.
     */
    public CompletableFuture<SwitchResponse> submit(
            SwitchRequest request, OptionalLong deadlineMillis, Runnable onExpired) {
        lastActivityMillis = clock.millis();
        step(new HostedLifecycle.Request());
        return onQueue(() -> {
                    if (deadlineMillis.isPresent() && clock.millis() > deadlineMillis.getAsLong()) {
                        onExpired.run();
                        throw SwitchboardException.of(
                                ErrorCode.UNAVAILABLE,
                                "the request's deadline passed while it waited behind the session's earlier"
                                        + " requests; it was not run, send it again");
                    }
                    return handleAsync(request);
                })
                .thenCompose(answer -> answer);
    }

    /**
     * Runs {@code task} on the session's queue, behind everything queued so far; fails with SESSION_LOST once the
     * session is disposed. Subclasses use it to continue a request whose answer waited off the queue.
     */
    final <T> CompletableFuture<T> onQueue(Supplier<T> task) {
        return queue.submit(() -> {
            MDC.put("session", id.toString()); // for JSON logs: every line of this session's work names it
            try {
                if (disposed()) {
                    throw SwitchboardException.of(ErrorCode.SESSION_LOST, "session was disposed or expired");
                }
                return task.get();
            } finally {
                lastActivityMillis = clock.millis();
                MDC.remove("session");
            }
        });
    }

    /**
     * Keeps {@code answer} counted as work in progress until it completes, for {@link #idle} and
     * {@link #idleLongerThan}: an answer that waits off the queue (a commit waiting for Kafka) is still work.
     */
    final <T> CompletableFuture<T> awaiting(CompletableFuture<T> answer) {
        waiting.add(answer);
        answer.whenComplete((value, failure) -> {
            waiting.remove(answer);
            lastActivityMillis = clock.millis();
        });
        return answer;
    }

    /** Disposes the session; a second call does nothing. The future completes once resources are released. */
    public CompletableFuture<Void> dispose() {
        if (step(new HostedLifecycle.Dispose()).isPresent()) {
            wake();
            return queue.submit(() -> {
                release();
                return null;
            });
        }
        return queue.idle();
    }

    public boolean disposed() {
        return life.get() instanceof HostedLifecycle.Disposed;
    }

    /** True while the session is parked: it gave back what it gets again on its next request. */
    boolean parked() {
        return life.get() instanceof HostedLifecycle.Parked;
    }

    /** Moves the session's life one step (atomically, from any thread); the effect to run, when there is one. */
    private Optional<HostedLifecycle.Effect> step(HostedLifecycle.Command command) {
        while (true) {
            HostedLifecycle.State current = Objects.requireNonNull(life.get(), "life"); // never set to null
            HostedLifecycle.Step step = HostedLifecycle.apply(current, command);
            if (step.state() == current || life.compareAndSet(current, step.state())) {
                return step.effect();
            }
        }
    }

    /** True when no request is running or queued and the last one ended more than {@code ttl} ago. */
    public boolean idleLongerThan(Duration ttl) {
        return queue.pending() == 0 && waiting.isEmpty() && clock.millis() - lastActivityMillis > ttl.toMillis();
    }

    /**
     * Completes once every request queued so far has been handled and no answer waits off the queue. Checked
     * again after the queue ran dry: a commit still queued when this was called starts waiting for Kafka only
     * once it runs.
     */
    public CompletableFuture<Void> idle() {
        CompletableFuture<?>[] answers = waiting.toArray(CompletableFuture<?>[]::new);
        return CompletableFuture.allOf(answers)
                .handle((ignored, failure) -> null)
                .thenCombine(queue.idle(), (a, b) -> null)
                .thenCompose(ignored -> queue.idle()) // the waiting answers' continuations ran on the queue
                .thenCompose(ignored -> waiting.isEmpty() ? CompletableFuture.<Void>completedFuture(null) : idle());
    }

    /**
     * Releases what an idle session holds and can get back on its next request (a read session's consumer),
     * once; queued on the session's queue without counting as activity. Safe from any thread.
     */
    final void parkIfIdle(Duration idleFor) {
        if (life.get() instanceof HostedLifecycle.Serving
                && idleLongerThan(idleFor)
                && step(new HostedLifecycle.Park()).isPresent()) {
            queue.submit(() -> {
                if (!disposed()) {
                    park();
                }
                return null;
            });
        }
    }

    /** What {@link #parkIfIdle} releases; nothing by default. Runs on the session's queue. */
    void park() {}

    /** Ends a blocked long poll early (drain, dispose); safe from any thread. */
    public abstract void wake();

    /** Handles one request of this session, on its serial queue. */
    abstract SwitchResponse handle(SwitchRequest request);

    /**
     * Handles one request on the serial queue; the answer may complete later, off the queue (see
     * {@link #awaiting}). By default the answer of {@link #handle}.
     */
    CompletableFuture<SwitchResponse> handleAsync(SwitchRequest request) {
        return CompletableFuture.completedFuture(handle(request));
    }

    /** Runs the machine's dispose and releases what the session holds, on its serial queue. */
    abstract void release();
}
