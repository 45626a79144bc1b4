package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one task per session on virtual threads and waits for all; the first failure is rethrown. A phase whose
 * progress stands still for {@link #STALL_NANOS} is stopped with an error rather than left hanging.
 */
final class Sessions {
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Sessions() {}

    interface Task {
        void run(int session) throws Exception;
    }

    static void run(int sessions, Progress progress, Task task) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                int session = i;
                futures.add(executor.submit(() -> {
                    task.run(session);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                await(future, futures, progress);
            }
        }
    }

    private static void await(Future<?> future, List<Future<?>> all, Progress progress) throws Exception {
        while (true) {
            try {
                future.get(1, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException e) {
                if (progress.stalledNanos() > STALL_NANOS) {
                    all.forEach(other -> other.cancel(true));
                    throw new IllegalStateException("no progress for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS)
                            + " s after " + progress.done() + " events; stopped");
                }
            } catch (ExecutionException e) {
                all.forEach(other -> other.cancel(true));
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }
}
