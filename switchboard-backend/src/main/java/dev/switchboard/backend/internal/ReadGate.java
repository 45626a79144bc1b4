package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.RejectedRecords;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Event;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fail-closed reads: decides for every consumed record whether readers get it. A record that opens is
 * delivered; one without a valid envelope ({@link RecordCipher.Fault#UNSEALED}, {@link
 * RecordCipher.Fault#UNDECRYPTABLE}) is rejected: the reader skips it, and the first time this node meets it, it
 * is counted, logged at WARN with topic/partition/offset and copied to the dead-letter topic. A record this node
 * cannot open through its own fault ({@link RecordCipher.Fault#NODE}: no keystore, a data key its KMS cannot
 * unwrap) is neither: the read fails, and the record stays where it is for a node that can open it. Thread-safe.
 */
public final class ReadGate implements RejectedRecords, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReadGate.class);

    private final RecordCipher cipher;
    private final DeadLetters deadLetters;
    private final Map<Reason, LongAdder> rejected = new EnumMap<>(Reason.class);
    private final Map<String, Boolean> seen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }; // guarded by itself

    /**
     * The node's gate: rejected records are copied to the topic {@code config.deadLetterTopic()} names (created
     * when missing) through {@code publisher}.
     */
    public static ReadGate of(BackendConfig config, RecordCipher cipher, TopicManager topics, NodeProducer publisher) {
        return new ReadGate(
                cipher,
                new DeadLetters(
                        config.deadLetterTopic(),
                        topic -> topics.ensure(topic, 1, topics.dataTopicConfigs()),
                        record -> publisher.publish(List.of(record))));
    }

    ReadGate(RecordCipher cipher, DeadLetters deadLetters) {
        this.cipher = cipher;
        this.deadLetters = deadLetters;
        for (Reason reason : Reason.values()) {
            rejected.put(reason, new LongAdder());
        }
    }

    /** A gate whose rejected records are counted and logged but copied nowhere (a copy counts as failed). */
    static ReadGate withoutDeadLetters(RecordCipher cipher) {
        return new ReadGate(cipher, new DeadLetters(DeadLetters.DEFAULT_TEMPLATE, topic -> {}, record -> {
            throw new IllegalStateException("no dead-letter topic here");
        }));
    }

    /**
     * The event for {@code record}, or empty when it is rejected (skip it). Throws {@link
     * RecordCipher.UnreadableRecordException} when this node cannot open it through its own fault.
     */
    Optional<Event> admit(ConsumerRecord<byte[], byte[]> record) {
        try {
            RecordCipher.Opened opened = cipher.open(record);
            return Optional.of(EventRecords.fromRecord(record, opened.payload(), opened.headers()));
        } catch (RecordCipher.UnreadableRecordException e) {
            Reason reason = switch (e.fault()) {
                case UNSEALED -> Reason.UNSEALED;
                case UNDECRYPTABLE -> Reason.UNDECRYPTABLE;
                case NODE -> throw e;
            };
            reject(record, reason, e.detail());
            return Optional.empty();
        }
    }

    /**
     * The error a read answers for a record this node cannot open through its own fault (no keystore, a data key
     * it cannot unwrap): it stays at the head (never skipped, never delivered as garbage), so every read reports
     * it until the node is fixed or the session moves to a node that can open it.
     */
    static SwitchboardException unreadable(String topic, int partition, long offset, String reason) {
        String where = topic + "/" + partition + "@" + offset;
        LOGGER.warn("event cannot be decrypted on this node record={} reason={}", where, reason);
        return SwitchboardException.of(ErrorCode.INTERNAL, "event " + where + " cannot be read: " + reason);
    }

    private void reject(ConsumerRecord<byte[], byte[]> record, Reason reason, String detail) {
        String where = DeadLetters.where(record);
        boolean first;
        synchronized (seen) {
            first = seen.put(where, Boolean.TRUE) == null;
        }
        if (!first) {
            LOGGER.debug("record skipped again record={} reason={}", where, reason.label());
            return;
        }
        counter(reason).increment();
        LOGGER.warn(
                "record rejected, not delivered record={} reason={} detail={} dead-letter-topic={}",
                where,
                reason.label(),
                detail,
                deadLetters.topicFor(record.topic()));
        deadLetters.copy(record, reason, detail);
    }

    @Override
    public long rejected(Reason reason) {
        return counter(reason).sum();
    }

    /** The counter of {@code reason}; the constructor made one for every reason. */
    private LongAdder counter(Reason reason) {
        return Objects.requireNonNull(rejected.get(reason), "a counter per reason");
    }

    @Override
    public long deadLettered() {
        return deadLetters.copied();
    }

    @Override
    public long deadLetterFailures() {
        return deadLetters.failed();
    }

    @Override
    public void close() {
        deadLetters.close();
    }
}
