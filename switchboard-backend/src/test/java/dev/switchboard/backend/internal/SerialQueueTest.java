package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SerialQueueTest {
    private static final Executor VIRTUAL = task -> Thread.ofVirtual().start(task);

    @Test
    void tasksRunOneAtATimeInSubmissionOrder() {
        // Given
        SerialQueue queue = new SerialQueue(VIRTUAL);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();

        // When
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            results.add(queue.submit(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                order.add(n);
                Thread.yield();
                running.decrementAndGet();
                return n;
            }));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();

        // Then
        assertThat(order).isEqualTo(IntStream.range(0, 50).boxed().toList());
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(queue.pending()).isZero();
    }

    @Test
    void aFailingTaskDoesNotStopTheQueue() {
        // Given
        SerialQueue queue = new SerialQueue(VIRTUAL);

        // When
        CompletableFuture<Object> failed = queue.submit(() -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<String> next = queue.submit(() -> "fine");

        // Then
        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("boom");
        assertThat(next.join()).isEqualTo("fine");
    }

    @Test
    void idleCompletesAfterEveryQueuedTask() throws InterruptedException {
        // Given
        SerialQueue queue = new SerialQueue(VIRTUAL);
        CountDownLatch release = new CountDownLatch(1);
        queue.submit(() -> {
            await(release);
            return null;
        });

        // When
        CompletableFuture<Void> idle = queue.idle();

        // Then
        assertThat(idle).isNotDone();
        assertThat(queue.pending()).isEqualTo(1);
        release.countDown();
        idle.join();
        assertThat(queue.pending()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
