package dev.switchboard.backend.internal;

import dev.switchboard.core.session.WriteMachine;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * The records of the writer state topic: key {@link WriterKey}, value version byte 1 and the last committed
 * chunk seq (8 bytes, big-endian). Each key has a fixed partition (murmur2 of the key, as Kafka's default
 * partitioner), chosen here so that writing and reading nodes agree without depending on the producer's
 * partitioner.
 */
final class WriterStateCodec implements WriterStateRecords {
    private static final byte VERSION = 1;

    private final String topic;
    private final int partitions;

    WriterStateCodec(String topic, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        this.topic = topic;
        this.partitions = partitions;
    }

    String topic() {
        return topic;
    }

    int partitions() {
        return partitions;
    }

    int partition(WriterKey key) {
        return Utils.toPositive(Utils.murmur2(key.toBytes())) % partitions;
    }

    /** The record saying {@code key} committed every chunk up to {@code seq}, exactly. */
    @Override
    public ProducerRecord<byte[], byte[]> record(WriterKey key, long seq) {
        byte[] value = ByteBuffer.allocate(9).put(VERSION).putLong(seq).array();
        return new ProducerRecord<>(topic, partition(key), key.toBytes(), value);
    }

    /** The seq a record value holds; empty for a malformed value or a seq outside {@code 0..MAX_SEQ}. */
    static OptionalLong seq(byte[] value) {
        if (value == null || value.length != 9 || value[0] != VERSION) {
            return OptionalLong.empty();
        }
        long seq = ByteBuffer.wrap(value, 1, 8).getLong();
        return seq < 0 || seq > WriteMachine.MAX_SEQ ? OptionalLong.empty() : OptionalLong.of(seq);
    }
}
