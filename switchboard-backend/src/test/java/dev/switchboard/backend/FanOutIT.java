package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.backend.internal.SessionRegistry;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.testkit.KafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fan-out on a real backend node and Kafka: readers at the end of a topic share one tail reader (one Kafka
 * consumer for all of them), each still gets every event exactly once in partition order, and a reader that falls
 * behind the shared cache reads on its own without a gap, then joins again.
 */
class FanOutIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "fan-out-it-cluster-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final MutableClock clock = new MutableClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final String topic = "fan-out-" + TOPICS.incrementAndGet();
    private BackendNode node;
    private Calls calls;

    private void start(long tailCacheBytes) {
        node = BackendNode.start(
                BackendConfig.builder("fan", KAFKA.bootstrapServers())
                        .tailCacheBytes(tailCacheBytes)
                        .build(),
                SECRET,
                clock,
                meters);
        calls = new Calls(node);
        KAFKA.createTopic(topic, 2);
    }

    @AfterEach
    void closeNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void readersAtTheEndOfATopicShareOneConsumerAndEachGetsEveryEvent() throws Exception {
        // Given 20 readers that have caught up with the end of a topic
        start(BackendConfig.DEFAULT_TAIL_CACHE_BYTES);
        List<Reader> readers = readers(20);
        catchUp(readers);

        // When 60 events are written in three commits
        write("tail", 60, 3);

        // Then each reader gets all of them, in partition order, from one shared consumer
        for (Reader reader : readers) {
            assertThat(reader.readUntil(60)).containsExactlyInAnyOrderElementsOf(payloads("tail", 60));
            reader.assertPartitionOrder();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(consumers("-reader-")).isEmpty();
            assertThat(consumers("-tail-" + topic)).hasSize(1);
        });
    }

    @Test
    void withSharingTurnedOffEveryReaderHasAConsumerOfItsOwn() throws Exception {
        // Given
        start(0);
        List<Reader> readers = readers(5);
        readers.forEach(Reader::readNothing);

        // When
        write("own", 20, 2);

        // Then
        for (Reader reader : readers) {
            assertThat(reader.readUntil(20)).containsExactlyInAnyOrderElementsOf(payloads("own", 20));
        }
        assertThat(consumers("-reader-")).hasSize(5);
        assertThat(consumers("-tail-")).isEmpty();
    }

    @Test
    void aReaderBehindTheCacheReadsOnItsOwnWithoutAGapAndThenJoinsAgain() throws Exception {
        // Given two tailing readers and a cache of about one 1 KiB event per partition
        start(2 * 1024);
        List<Reader> readers = readers(2);
        catchUp(readers);

        // When 40 events of 1 KiB are written before they read again (the cache has evicted most of them)
        String padding = "x".repeat(1024);
        write("behind" + padding, 40, 4);

        // Then each reads all 40 on its own, without a gap or a duplicate
        for (Reader reader : readers) {
            assertThat(reader.readUntil(40)).containsExactlyInAnyOrderElementsOf(payloads("behind" + padding, 40));
            reader.assertPartitionOrder();
        }

        // And once caught up they share the tail reader again
        catchUp(readers);
        write("again", 4, 1);
        for (Reader reader : readers) {
            assertThat(reader.readUntil(44)).containsAll(payloads("again", 4));
            reader.assertPartitionOrder();
        }
        assertThat(consumers("-reader-")).isEmpty();
    }

    @Test
    void aParkedTailingReaderComesBackToTheTailReaderWithoutAConsumerOfItsOwn() throws Exception {
        // Given a tailing reader that went idle
        start(BackendConfig.DEFAULT_TAIL_CACHE_BYTES);
        List<Reader> readers = readers(2);
        catchUp(readers);
        write("before", 6, 1);
        readers.forEach(reader -> reader.readUntil(6));
        clock.advance(SessionRegistry.PARK_AFTER.plusSeconds(1));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(meters.get("switchboard.sessions.parked")
                                .gauge()
                                .value())
                        .isEqualTo(2.0)); // the reaper judges idleness by the clock the test moved

        // When more events arrive and it reads again
        write("after", 6, 1);

        // Then it gets them, still without a consumer of its own
        for (Reader reader : readers) {
            assertThat(reader.readUntil(12)).containsAll(payloads("after", 6));
            reader.assertPartitionOrder();
        }
        assertThat(consumers("-reader-")).isEmpty();
    }

    /**
     * Has every reader read until it finds nothing more and shares the tail reader (a reader of a new node may
     * need a few reads before its consumer knows it has caught up).
     */
    private void catchUp(List<Reader> readers) throws Exception {
        for (int round = 0; round < 30; round++) {
            readers.forEach(Reader::readNothing);
            if (consumers("-reader-").isEmpty()) {
                return;
            }
        }
        throw new AssertionError("readers still read on their own: " + consumers("-reader-"));
    }

    private List<Reader> readers(int count) {
        List<Reader> readers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = calls.allocate(new AllocateRequest(topic, SessionMode.READ).setStartFrom(StartFrom.LATEST))
                    .getSessionId();
            readers.add(new Reader(id));
        }
        return readers;
    }

    private void write(String prefix, int count, int chunks) {
        String writer =
                calls.writer(topic, "w-" + prefix.hashCode() + "-" + count).getSessionId();
        List<Event> all = events(prefix, count);
        int perChunk = count / chunks;
        for (int chunk = 0; chunk < chunks; chunk++) {
            calls.write(writer, chunk + 1, all.subList(chunk * perChunk, (chunk + 1) * perChunk));
        }
        assertThat(calls.commit(writer, chunks)).isEqualTo(chunks);
        calls.dispose(writer);
    }

    private static List<String> payloads(String prefix, int count) {
        return events(prefix, count).stream()
                .map(event -> Calls.text(event.bufferForPayload()))
                .toList();
    }

    /** The open Kafka consumers whose client id contains {@code part}, by their metrics MBeans. */
    private static List<ObjectName> consumers(String part) throws Exception {
        return ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("kafka.consumer:type=consumer-metrics,client-id=*"), null)
                .stream()
                .filter(name -> name.getKeyProperty("client-id").contains(part))
                .toList();
    }

    /** One read session and everything it was delivered. */
    private final class Reader {
        private final String session;
        private final List<Event> delivered = new ArrayList<>();
        private long seq = 1;

        Reader(String session) {
            this.session = session;
        }

        /** A read that finds nothing (there is nothing to read). */
        void readNothing() {
            assertThat(calls.read(session, seq, 10, 200).getEvents()).isEmpty();
        }

        /** Reads and acknowledges until {@code total} events have been delivered in all; their payloads. */
        List<String> readUntil(int total) {
            int empty = 0;
            while (delivered.size() < total) {
                ReadResponse batch = calls.read(session, seq, 7, 1000);
                if (batch.getEvents().isEmpty()) {
                    assertThat(++empty)
                            .as("empty reads with %s of %s delivered", delivered.size(), total)
                            .isLessThan(10);
                    continue;
                }
                delivered.addAll(batch.getEvents());
                calls.ack(session, seq++);
            }
            assertThat(delivered).hasSize(total);
            return delivered.stream()
                    .map(event -> Calls.text(event.bufferForPayload()))
                    .toList();
        }

        void assertPartitionOrder() {
            Map<Integer, Long> last = new HashMap<>();
            for (Event event : delivered) {
                Long previous = last.put(event.getPartition(), event.getOffset());
                assertThat(previous == null || previous < event.getOffset())
                        .as("offset %s after %s in partition %s", event.getOffset(), previous, event.getPartition())
                        .isTrue();
            }
        }
    }
}
