package dev.switchboard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RendezvousHashingTest {
    private static final List<String> KEYS =
            IntStream.range(0, 3_000).mapToObj(i -> "principal-" + i + "/topic").toList();

    @Test
    void sameKeyAlwaysPicksTheSameCandidateWhateverTheOrder() {
        for (String key : KEYS.subList(0, 100)) {
            assertThat(RendezvousHashing.choose(key, List.of("s0", "s1", "s2")))
                    .isEqualTo(RendezvousHashing.choose(key, List.of("s2", "s0", "s1")));
        }
    }

    @Test
    void keysSpreadEvenlyOverTheCandidates() {
        // When 3000 keys are placed on 3 shards
        Map<String, Long> counts = KEYS.stream()
                .collect(Collectors.groupingBy(
                        key -> RendezvousHashing.choose(key, List.of("s0", "s1", "s2"))
                                .orElseThrow(),
                        Collectors.counting()));

        // Then each shard gets about a third
        assertThat(counts).containsOnlyKeys("s0", "s1", "s2");
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(850L, 1150L));
    }

    @Test
    void removingACandidateMovesOnlyItsOwnKeys() {
        // Given the placement over three shards
        Map<String, String> before = placement(List.of("s0", "s1", "s2"));

        // When s1 is gone
        Map<String, String> after = placement(List.of("s0", "s2"));

        // Then every key that was not on s1 stays where it was
        before.forEach((key, shard) -> {
            if (!shard.equals("s1")) {
                assertThat(after.get(key)).as(key).isEqualTo(shard);
            }
        });
    }

    @Test
    void addingACandidateTakesAboutItsShareAndMovesNothingElse() {
        // Given the placement over three shards
        Map<String, String> before = placement(List.of("s0", "s1", "s2"));

        // When a fourth shard is added
        Map<String, String> after = placement(List.of("s0", "s1", "s2", "s3"));

        // Then only keys that now land on s3 moved, and they are about a quarter
        long moved = KEYS.stream()
                .filter(key -> !before.get(key).equals(after.get(key)))
                .peek(key -> assertThat(after.get(key)).isEqualTo("s3"))
                .count();
        assertThat(moved).isBetween(600L, 900L);
    }

    @Test
    void noCandidatesChoosesNothing() {
        assertThat(RendezvousHashing.choose("key", List.of())).isEmpty();
    }

    private static Map<String, String> placement(List<String> shards) {
        Map<String, String> placement = new HashMap<>();
        KEYS.forEach(
                key -> placement.put(key, RendezvousHashing.choose(key, shards).orElseThrow()));
        return placement;
    }
}
