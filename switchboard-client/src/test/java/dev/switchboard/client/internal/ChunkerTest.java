package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Event;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    @Test
    void splitsByCountKeepingOrder() {
        List<Event> events =
                IntStream.range(0, 7).mapToObj(i -> Event.of("e" + i)).toList();

        List<List<Event>> chunks = Chunker.split(events, 3, 1_000);

        assertThat(chunks).extracting(List::size).containsExactly(3, 3, 1);
        assertThat(chunks.stream().flatMap(List::stream).toList()).isEqualTo(events);
    }

    @Test
    void splitsByBytesAsTheSessionCountsThem() {
        Event sixBytes =
                Event.builder().key("k").payload("abc").header("h", "x").build(); // 1 + 3 + 1 + 1
        assertThat(ThriftEvents.size(sixBytes)).isEqualTo(6);

        List<List<Event>> chunks = Chunker.split(List.of(sixBytes, sixBytes, sixBytes), 10, 12);

        assertThat(chunks).extracting(List::size).containsExactly(2, 1);
    }

    @Test
    void anEventLargerThanAChunkGoesAlone() {
        Event big = Event.of(new byte[50]);

        List<List<Event>> chunks = Chunker.split(List.of(Event.of("a"), big, Event.of("b")), 10, 20);

        assertThat(chunks).extracting(List::size).containsExactly(1, 1, 1);
        assertThat(Chunker.split(List.of(), 10, 20)).isEmpty();
    }
}
