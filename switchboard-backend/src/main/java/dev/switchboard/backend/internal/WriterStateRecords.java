package dev.switchboard.backend.internal;

import org.apache.kafka.clients.producer.ProducerRecord;

/** Makes the record of the writer state topic saying a writer committed every chunk up to a seq. */
@FunctionalInterface
interface WriterStateRecords {
    /** The state record for {@code key} at {@code seq}, or at a higher seq the maker knows is committed. */
    ProducerRecord<byte[], byte[]> record(WriterKey key, long seq);
}
