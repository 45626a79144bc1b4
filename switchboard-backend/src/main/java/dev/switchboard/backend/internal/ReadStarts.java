package dev.switchboard.backend.internal;

import dev.switchboard.core.cursor.Cursor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Turns a {@link ReadStart} into a concrete offset for every partition of the topic. */
final class ReadStarts {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private ReadStarts() {}

    static Map<TopicPartition, Long> resolve(
            Consumer<?, ?> consumer, String topic, int partitionCount, ReadStart start) {
        List<TopicPartition> partitions = IntStream.range(0, partitionCount)
                .mapToObj(partition -> new TopicPartition(topic, partition))
                .toList();
        return switch (start) {
            case ReadStart.Earliest earliest -> consumer.beginningOffsets(partitions, TIMEOUT);
            case ReadStart.Latest latest -> consumer.endOffsets(partitions, TIMEOUT);
            case ReadStart.AtTimestamp at -> atTimestamp(consumer, partitions, at.timestampMs());
            case ReadStart.FromCursor from -> fromCursor(consumer, partitions, from.cursor());
        };
    }

    /** The cursor of a set of positions. */
    static Cursor cursorOf(String topic, Map<TopicPartition, Long> positions) {
        return Cursor.of(
                topic,
                positions.entrySet().stream()
                        .collect(Collectors.toMap(entry -> entry.getKey().partition(), Map.Entry::getValue)));
    }

    private static Map<TopicPartition, Long> atTimestamp(
            Consumer<?, ?> consumer, List<TopicPartition> partitions, long timestampMs) {
        Map<TopicPartition, Long> query =
                partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> timestampMs));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp hit = found.get(partition);
            if (hit != null) {
                positions.put(partition, hit.offset());
                continue;
            }
            // no event at or after the timestamp: start after the newest one
            Long end = ends.get(partition);
            if (end == null) {
                throw new IllegalStateException("Kafka did not say where " + partition + " ends");
            }
            positions.put(partition, end);
        }
        return positions;
    }

    private static Map<TopicPartition, Long> fromCursor(
            Consumer<?, ?> consumer, List<TopicPartition> partitions, Cursor cursor) {
        Map<TopicPartition, Long> positions = new HashMap<>(consumer.beginningOffsets(partitions, TIMEOUT));
        for (TopicPartition partition : partitions) {
            Long offset = cursor.offsets().get(partition.partition());
            if (offset != null) {
                positions.put(partition, offset);
            }
        }
        return positions;
    }
}
