package dev.switchboard.backend.internal;

import dev.switchboard.backend.KeyManagementService;
import dev.switchboard.backend.KeyManagementService.WrappedKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data keys (DEKs) of envelope encryption: the current key per topic for sealing, rotated by age and by
 * record count, and every key by id for opening, whichever node created it.
 *
 * <p>Implementation notes: a new key is wrapped by the KMS and published to the keys topic (acknowledged)
 * before its first use, so any node that meets its id finds it there. Keys are unwrapped lazily and cached;
 * an unknown id makes this node read the keys topic up to its end once more.
 *
 * <p>No lock is held across I/O: sealing takes the current key lock-free; a rotation (KMS wrap and a Kafka send)
 * runs once per topic, single-flight, and only the sealers of that topic wait for it, on a future (a virtual thread
 * waiting there unmounts; a monitor held across the send would pin its carrier on JDK 21-23 and stall every topic).
 * A refresh of the keys topic (an unknown key id, rare) is single-flight the same way.
 *
 * <p>Keys topic record: key = data key id; value = version 1, then topic, KEK id (each length + UTF-8), the
 * creation time (epoch millis) and the wrapped key (length + bytes). The wrap context is {@code sb-dek-1},
 * topic and key id, so a wrapped key moved to another id or topic does not unwrap.
 */
public final class DataKeys implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DataKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte VERSION = 1;

    /** A data key; {@code uses} counts the records it sealed (and the sealers that found it used up). */
    static final class DataKey {
        private final String id;
        private final SecretKey key;
        private final Instant created;
        private final AtomicLong uses = new AtomicLong();

        DataKey(String id, SecretKey key, Instant created) {
            this.id = id;
            this.key = key;
            this.created = created;
        }

        String id() {
            return id;
        }

        SecretKey key() {
            return key;
        }
    }

    private record Stored(String topic, WrappedKey wrapped) {}

    private final KeyManagementService kms;
    private final DataKeyStore store;
    private final Duration maxAge;
    private final long maxRecords;
    private final Clock clock;
    private final Map<String, DataKey> currentByTopic = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<DataKey>> rotations = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<Void>> refreshing = new AtomicReference<>();
    private final Map<String, SecretKey> unwrapped = new ConcurrentHashMap<>();
    private final Map<String, Stored> known = new ConcurrentHashMap<>();

    DataKeys(KeyManagementService kms, DataKeyStore store, Duration maxAge, long maxRecords, Clock clock) {
        this.kms = kms;
        this.store = store;
        this.maxAge = maxAge;
        this.maxRecords = maxRecords;
        this.clock = clock;
    }

    /** Opens the keys topic (creating it when missing) and reads every wrapped key in it. */
    public static DataKeys open(
            dev.switchboard.backend.BackendConfig config, TopicManager topics, KeyManagementService kms, Clock clock) {
        var encryption = config.encryption();
        KeysTopic store = KeysTopic.open(config, topics, encryption.keysTopic());
        DataKeys keys = new DataKeys(kms, store, encryption.keyMaxAge(), encryption.keyMaxRecords(), clock);
        try {
            keys.refresh();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return keys;
    }

    /**
     * Data keys kept in this process only (never published to a keys topic), for benchmarks and tests: records
     * sealed with them can be opened by this instance alone.
     */
    public static DataKeys inMemory(KeyManagementService kms, Duration maxAge, long maxRecords, Clock clock) {
        return new DataKeys(kms, DataKeyStore.inMemory(), maxAge, maxRecords, clock);
    }

    /** The key to seal the next record of {@code topic} with; counts the use, rotates when due. */
    DataKey current(String topic) {
        while (true) {
            DataKey key = currentByTopic.get(topic);
            if (key != null && clock.instant().isBefore(key.created.plus(maxAge))) {
                if (key.uses.incrementAndGet() <= maxRecords) {
                    return key;
                }
            }
            rotate(topic, key);
        }
    }

    /**
     * Replaces {@code stale} (null: none yet) as the current key of {@code topic}, once: the first caller creates
     * the new key, every other one waits for it. Returns when the current key is no longer {@code stale}.
     */
    private void rotate(String topic, @Nullable DataKey stale) {
        CompletableFuture<DataKey> mine = new CompletableFuture<>();
        CompletableFuture<DataKey> running = rotations.putIfAbsent(topic, mine);
        if (running != null) {
            join(running);
            return;
        }
        try {
            if (currentByTopic.get(topic) == stale) {
                currentByTopic.put(topic, create(topic, clock.instant()));
            }
            mine.complete(currentByTopic.get(topic));
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            rotations.remove(topic, mine);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** What looking a data key up found: the key, nothing (not in the keys topic), or a key this KMS cannot open. */
    sealed interface Lookup {
        record Found(SecretKey key) implements Lookup {}

        /** No such id in the keys topic, read to its end: the record names a key nobody made. */
        record Unknown() implements Lookup {}

        /** The id is known but its wrapped key does not unwrap here (another keystore): this node's fault. */
        record Unavailable(String reason) implements Lookup {}
    }

    /** The key with this id, from the cache or the keys topic (read to its end when the id is new to this node). */
    Lookup lookup(String keyId) {
        SecretKey cached = unwrapped.get(keyId);
        if (cached != null) {
            return new Lookup.Found(cached);
        }
        if (!known.containsKey(keyId)) {
            refreshOnce();
        }
        Stored stored = known.get(keyId);
        if (stored == null) {
            LOGGER.warn("data key unknown key-id={}", keyId);
            return new Lookup.Unknown();
        }
        try {
            SecretKey key = new SecretKeySpec(kms.unwrap(stored.wrapped(), context(stored.topic(), keyId)), "AES");
            unwrapped.put(keyId, key);
            return new Lookup.Found(key);
        } catch (KeyManagementService.KeyUnavailableException e) {
            LOGGER.warn("data key cannot be unwrapped key-id={} reason={}", keyId, e.getMessage());
            String reason = e.getMessage();
            return new Lookup.Unavailable(reason == null ? "the key management service cannot unwrap it" : reason);
        }
    }

    /** Number of data keys this node knows of (created here or read from the keys topic). */
    int size() {
        return known.size();
    }

    private DataKey create(String topic, Instant now) {
        byte[] material = new byte[32];
        RANDOM.nextBytes(material);
        String id = newId();
        WrappedKey wrapped = kms.wrap(material, context(topic, id));
        store.publish(id, encode(topic, wrapped, now));
        SecretKey key = new SecretKeySpec(material, "AES");
        known.put(id, new Stored(topic, wrapped));
        unwrapped.put(id, key);
        LOGGER.info("data key created topic={} key-id={} kek-id={}", topic, id, wrapped.kekId());
        return new DataKey(id, key, now);
    }

    /** Reads the keys topic to its end; callers arriving while a read runs wait for that one. */
    private void refreshOnce() {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = refreshing.compareAndExchange(null, mine);
        if (running != null) {
            join(running);
            return;
        }
        try {
            refresh();
            mine.complete(null);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            refreshing.compareAndSet(mine, null);
        }
    }

    private void refresh() {
        store.readToEnd().forEach((id, value) -> {
            try {
                known.put(id, decode(value));
            } catch (RuntimeException e) {
                LOGGER.warn("keys topic record unreadable key-id={}", id);
            }
        });
    }

    private static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "k-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] context(String topic, String keyId) {
        return ("sb-dek-1\n" + topic + "\n" + keyId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encode(String topic, WrappedKey wrapped, Instant created) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        byte[] kek = wrapped.kekId().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + topicBytes.length + 4 + kek.length + 8 + 4 + wrapped.bytes().length)
                .put(VERSION)
                .putInt(topicBytes.length)
                .put(topicBytes)
                .putInt(kek.length)
                .put(kek)
                .putLong(created.toEpochMilli())
                .putInt(wrapped.bytes().length)
                .put(wrapped.bytes())
                .array();
    }

    private static Stored decode(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        if (in.get() != VERSION) {
            throw new IllegalArgumentException("unknown keys topic record version");
        }
        String topic = string(in);
        String kekId = string(in);
        in.getLong(); // creation time: kept for operators
        byte[] wrapped = new byte[in.getInt()];
        in.get(wrapped);
        return new Stored(topic, new WrappedKey(kekId, wrapped));
    }

    private static String string(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        store.close();
    }
}
