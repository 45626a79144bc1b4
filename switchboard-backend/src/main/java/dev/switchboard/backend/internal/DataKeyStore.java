package dev.switchboard.backend.internal;

import java.util.HashMap;
import java.util.Map;

/** Where a node's wrapped data keys live: the compacted keys topic ({@link KeysTopic}), or memory. */
interface DataKeyStore extends AutoCloseable {
    void publish(String keyId, byte[] value);

    /** Every stored key by id. */
    Map<String, byte[]> readToEnd();

    @Override
    void close();

    /** Keys kept in this process only, for benchmarks and tests: other nodes never see them. */
    static DataKeyStore inMemory() {
        Map<String, byte[]> keys = new HashMap<>();
        return new DataKeyStore() {
            @Override
            public synchronized void publish(String keyId, byte[] value) {
                keys.put(keyId, value.clone());
            }

            @Override
            public synchronized Map<String, byte[]> readToEnd() {
                return Map.copyOf(keys);
            }

            @Override
            public void close() {}
        };
    }
}
