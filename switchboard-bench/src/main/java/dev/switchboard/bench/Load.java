package dev.switchboard.bench;

/** One side of the comparison: Switchboard through the SDK, or raw Kafka clients. */
interface Load extends AutoCloseable {

    /** "switchboard" or "kafka". */
    String system();

    /** Makes sure {@code topic} exists (with the deployment's default partitions). */
    void prepareTopic(String topic) throws Exception;

    /** Publishes {@code events} events to {@code topic} with the settings' sessions and batching. */
    PhaseResult write(String topic, long events, Progress progress) throws Exception;

    /** Every session reads {@code events} events of {@code topic} from the beginning. */
    PhaseResult read(String topic, long events, Progress progress) throws Exception;

    /** Publishes {@code events} events to an empty {@code topic} while one reader consumes them. */
    PhaseResult roundtrip(String topic, long events, Progress progress) throws Exception;

    @Override
    void close();
}
