package dev.switchboard.backend.internal;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Runs tasks one at a time in the order they were submitted, each on the given executor (virtual threads).
 * A session's requests go through one such queue, so a long-polling read blocks only its own session.
 *
 * <p>Implementation notes: every task is chained on the completion of the one before it; a task that fails
 * does not stop the queue. {@link #pending()} counts submitted tasks not yet finished. The executor must never
 * reject a task (a virtual thread per task), or the queue would stall.
 */
final class SerialQueue {
    private final Executor executor;
    private final AtomicInteger pending = new AtomicInteger();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    SerialQueue(Executor executor) {
        this.executor = executor;
    }

    /** Queues {@code task}; the future completes with its result, or exceptionally with what it threw. */
    synchronized <T> CompletableFuture<T> submit(Supplier<T> task) {
        pending.incrementAndGet();
        // The task runs under the submitter's trace context and log context (session, trace ids), so its spans,
        // the records it writes and its log lines belong to the call that queued it.
        Context trace = Context.current();
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        CompletableFuture<T> result = tail.thenApplyAsync(
                ignored -> {
                    Map<String, String> before = MDC.getCopyOfContextMap();
                    try (Scope scope = trace.makeCurrent()) {
                        setMdc(logContext);
                        return task.get();
                    } finally {
                        setMdc(before);
                        pending.decrementAndGet(); // before the answer completes: exact for whoever waits on it
                    }
                },
                executor);
        tail = result.handle((value, failure) -> null);
        return result;
    }

    private static void setMdc(@Nullable Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }

    /** Completes once every task submitted so far has finished. */
    synchronized CompletableFuture<Void> idle() {
        return tail;
    }

    int pending() {
        return pending.get();
    }
}
