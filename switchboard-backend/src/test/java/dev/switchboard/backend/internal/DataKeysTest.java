package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.KeyManagementService;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Data key rotation holds no node-wide lock across its I/O: while one topic's new key waits on a slow keys-topic
 * send, other topics seal on, and the topic's own sealers wait for that one rotation instead of starting more.
 */
class DataKeysTest {
    /** Wraps nothing: the tests are about who waits for whom, not about the wrapping. */
    private static final KeyManagementService KMS = new KeyManagementService() {
        @Override
        public WrappedKey wrap(byte[] dataKey, byte[] context) {
            return new WrappedKey("kek-test", dataKey.clone());
        }

        @Override
        public byte[] unwrap(WrappedKey wrapped, byte[] context) {
            return wrapped.bytes().clone();
        }
    };

    /** A keys topic whose first send blocks until released, like a Kafka send during a broker hiccup. */
    private static final class SlowStore implements DataKeyStore {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch firstSendStarted = new CountDownLatch(1);
        final AtomicInteger sends = new AtomicInteger();
        final Map<String, byte[]> keys = new ConcurrentHashMap<>();

        @Override
        public void publish(String keyId, byte[] value) {
            if (sends.incrementAndGet() == 1) {
                firstSendStarted.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            keys.put(keyId, value);
        }

        @Override
        public Map<String, byte[]> readToEnd() {
            return Map.copyOf(keys);
        }

        @Override
        public void close() {}
    }

    @Test
    void aSlowKeySendForOneTopicHoldsUpNeitherOtherTopicsNorStartsASecondRotation() throws Exception {
        SlowStore store = new SlowStore();
        DataKeys keys = new DataKeys(KMS, store, Duration.ofHours(1), 1_000, Clock.systemUTC());

        // Given topic a's first key stuck in its keys-topic send
        CompletableFuture<DataKeys.DataKey> first = CompletableFuture.supplyAsync(
                () -> keys.current("a"), task -> Thread.ofVirtual().start(task));
        assertThat(store.firstSendStarted.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<DataKeys.DataKey> second = CompletableFuture.supplyAsync(
                () -> keys.current("a"), task -> Thread.ofVirtual().start(task));

        // When topic b needs a key meanwhile, then it gets one (no node-wide lock held across the send)
        DataKeys.DataKey b = CompletableFuture.supplyAsync(
                        () -> keys.current("b"), task -> Thread.ofVirtual().start(task))
                .get(10, TimeUnit.SECONDS);
        assertThat(b.id()).isNotBlank();
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        // And once the send completes, both sealers of a use the one key it made
        store.release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).id())
                .isEqualTo(second.get(10, TimeUnit.SECONDS).id());
        assertThat(store.sends).hasValue(2);
    }

    @Test
    void aKeyIsRotatedAfterMaxRecordsEvenUnderConcurrentSealers() throws Exception {
        DataKeys keys = DataKeys.inMemory(KMS, Duration.ofHours(1), 100, Clock.systemUTC());
        Map<String, AtomicInteger> usesById = new ConcurrentHashMap<>();

        // When 1,000 records are sealed from 10 threads
        CompletableFuture<?>[] sealers = new CompletableFuture<?>[10];
        for (int t = 0; t < sealers.length; t++) {
            sealers[t] = CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < 100; i++) {
                            usesById.computeIfAbsent(keys.current("t").id(), id -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    },
                    task -> Thread.ofVirtual().start(task));
        }
        CompletableFuture.allOf(sealers).get(30, TimeUnit.SECONDS);

        // Then no key sealed more than 100 records, and the 1,000 went to at least 10 keys
        assertThat(usesById.values()).allSatisfy(uses -> assertThat(uses.get()).isLessThanOrEqualTo(100));
        assertThat(usesById.values().stream().mapToInt(AtomicInteger::get).sum())
                .isEqualTo(1_000);
        assertThat(usesById).hasSizeGreaterThanOrEqualTo(10);
        assertThat(keys.size()).isEqualTo(usesById.size());
    }
}
