package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.RendezvousHashing;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScalingTopicsTest {

    private static Map<String, Long> perShard(List<String> topics, List<String> shards) {
        return topics.stream()
                .collect(Collectors.groupingBy(
                        topic -> RendezvousHashing.choose(topic, shards).orElseThrow(), Collectors.counting()));
    }

    @Test
    void everyShardGetsAsManyTopics() {
        List<String> shards = List.of("s0", "s1");
        for (String prefix : List.of("scale-1a2b3c4d-2x1-", "scale-ffffffff-2x4-", "x-")) {
            List<String> topics = ScalingBench.topics(prefix, 8, shards);
            assertThat(topics).hasSize(8).doesNotHaveDuplicates().allMatch(topic -> topic.startsWith(prefix));
            assertThat(perShard(topics, shards)).isEqualTo(Map.of("s0", 4L, "s1", 4L));
        }
        List<String> three = List.of("s0", "s1", "s2");
        assertThat(perShard(ScalingBench.topics("p-", 12, three), three).values())
                .containsOnly(4L);
    }

    @Test
    void oneShardTakesTheFirstNames() {
        assertThat(ScalingBench.topics("p-", 3, List.of("s0"))).containsExactly("p-0", "p-1", "p-2");
    }

    @Test
    void theFirstNamesAloneWouldSpreadUnevenly() {
        // why the bench chooses: with the names in order, some prefix of 8 topics is uneven over 2 shards
        List<String> shards = List.of("s0", "s1");
        boolean uneven = List.of("scale-1a2b3c4d-2x1-", "scale-ffffffff-2x4-", "x-").stream()
                .map(prefix -> perShard(
                        java.util.stream.IntStream.range(0, 8)
                                .mapToObj(i -> prefix + i)
                                .toList(),
                        shards))
                .anyMatch(counts -> !counts.getOrDefault("s0", 0L).equals(counts.getOrDefault("s1", 0L)));
        assertThat(uneven).isTrue();
    }
}
