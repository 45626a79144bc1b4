package dev.switchboard.client.fake;

import dev.switchboard.protocol.thrift.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The storage the fake backend nodes share, standing in for Kafka: one partition per topic, the durable writer
 * state the backend keeps in {@code __switchboard_writers} (last committed chunk per principal, topic and writer
 * id, written with the chunks and never ahead of them), and counters the tests check (how often each chunk was
 * staged). Survives nodes coming and going, as Kafka survives backend nodes. Thread-safe.
 */
public final class FakeKafka {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final Map<String, List<Event>> topics = new HashMap<>();
    private final Map<String, Long> ledger = new HashMap<>();
    private final Map<String, Integer> stagings = new LinkedHashMap<>();

    public void createTopic(String topic) {
        lock.lock();
        try {
            topics.putIfAbsent(topic, new ArrayList<>());
        } finally {
            lock.unlock();
        }
    }

    boolean hasTopic(String topic) {
        lock.lock();
        try {
            return topics.containsKey(topic);
        } finally {
            lock.unlock();
        }
    }

    /** Appends a committed chunk, stamping each event with its offset and {@code sb-id}. */
    void append(String principal, String topic, String writerId, long seq, List<Event> events) {
        lock.lock();
        try {
            List<Event> log = topics.get(topic);
            for (int index = 0; index < events.size(); index++) {
                Event stored = events.get(index).deepCopy();
                Map<String, ByteBuffer> headers =
                        stored.isSetHeaders() ? new LinkedHashMap<>(stored.getHeaders()) : new LinkedHashMap<>();
                String id = writerId + ":" + seq + ":" + index;
                headers.put("sb-id", ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)));
                stored.setHeaders(headers).setPartition(0).setOffset(log.size());
                log.add(stored);
            }
            ledger.merge(writerKey(principal, topic, writerId), seq, Math::max);
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Up to {@code max} events from {@code offset}, waiting up to {@code wait} for the first one. */
    List<Event> read(String topic, long offset, int max, Duration wait) throws InterruptedException {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            List<Event> log = topics.get(topic);
            while (log.size() <= offset && nanos > 0) {
                nanos = appended.awaitNanos(nanos);
            }
            int from = (int) Math.min(offset, log.size());
            return List.copyOf(log.subList(from, (int) Math.min(log.size(), offset + max)));
        } finally {
            lock.unlock();
        }
    }

    long end(String topic) {
        lock.lock();
        try {
            return topics.get(topic).size();
        } finally {
            lock.unlock();
        }
    }

    long offsetAt(String topic, long timestampMs) {
        lock.lock();
        try {
            List<Event> log = topics.get(topic);
            for (int offset = 0; offset < log.size(); offset++) {
                if (log.get(offset).isSetTimestamp() && log.get(offset).getTimestamp() >= timestampMs) {
                    return offset;
                }
            }
            return log.size();
        } finally {
            lock.unlock();
        }
    }

    long lastCommitted(String principal, String topic, String writerId) {
        lock.lock();
        try {
            return ledger.getOrDefault(writerKey(principal, topic, writerId), 0L);
        } finally {
            lock.unlock();
        }
    }

    private static String writerKey(String principal, String topic, String writerId) {
        return principal + "\u0000" + topic + "\u0000" + writerId;
    }

    void recordStaged(String writerId, long seq) {
        lock.lock();
        try {
            stagings.merge(writerId + ":" + seq, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
    }

    /** How often each chunk ({@code writerId:seq}) was staged, over all sessions. */
    public Map<String, Integer> stagings() {
        lock.lock();
        try {
            return Map.copyOf(stagings);
        } finally {
            lock.unlock();
        }
    }

    /** The payloads stored in {@code topic}, in offset order, as UTF-8. */
    public List<String> payloads(String topic) {
        lock.lock();
        try {
            return topics.get(topic).stream()
                    .map(event -> StandardCharsets.UTF_8
                            .decode(event.bufferForPayload().duplicate())
                            .toString())
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /** The {@code sb-id} of every event stored in {@code topic}, in offset order. */
    public List<String> ids(String topic) {
        lock.lock();
        try {
            return topics.get(topic).stream()
                    .map(event -> StandardCharsets.UTF_8
                            .decode(event.getHeaders().get("sb-id").duplicate())
                            .toString())
                    .toList();
        } finally {
            lock.unlock();
        }
    }
}
