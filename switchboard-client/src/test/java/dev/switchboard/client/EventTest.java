package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventTest {

    @Test
    void ofStringEncodesUtf8AndSetsNothingElse() {
        Event event = Event.of("grüße");

        assertThat(event.payload()).isEqualTo("grüße".getBytes(StandardCharsets.UTF_8));
        assertThat(event.payloadAsString()).isEqualTo("grüße");
        assertThat(event.key()).isEmpty();
        assertThat(event.headers()).isEmpty();
        assertThat(event.timestamp()).isEmpty();
    }

    @Test
    void theBuilderSetsEveryPart() {
        Instant time = Instant.parse("2025-01-02T03:04:05Z");

        Event event = Event.builder()
                .key("k")
                .payload(new byte[] {1, 2})
                .header("a", "x")
                .header("b", new byte[] {9})
                .timestamp(time)
                .build();

        assertThat(event.key()).hasValueSatisfying(key -> assertThat(key).isEqualTo("k".getBytes()));
        assertThat(event.payload()).containsExactly(1, 2);
        assertThat(event.headers()).containsOnlyKeys("a", "b");
        assertThat(event.header("b"))
                .hasValueSatisfying(value -> assertThat(value).containsExactly(9));
        assertThat(event.timestamp()).contains(time);
    }

    @Test
    void equalityComparesContentsNotArrays() {
        Event one = Event.builder().key("k").payload("p").header("h", "v").build();
        Event same = Event.builder().key("k").payload("p").header("h", "v").build();
        Event other = Event.builder().key("k").payload("p").header("h", "w").build();

        assertThat(one).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other);
        assertThat(Event.of("p")).isNotEqualTo(one);
    }

    @Test
    void headersAreFrozenAndToStringHidesContents() {
        Map<String, byte[]> headers = new HashMap<>(Map.of("h", "secret".getBytes()));
        Event event = new Event(Optional.empty(), "secret".getBytes(), headers, Optional.empty());
        headers.clear();

        assertThat(event.headers()).containsOnlyKeys("h");
        assertThatThrownBy(() -> event.headers().put("x", new byte[0]))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(event.toString()).doesNotContain("secret").contains("payload=6 bytes");
    }

    @Test
    void nothingIsNullable() {
        assertThatThrownBy(() -> Event.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("payload");
        assertThatThrownBy(() -> Event.builder().key((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Event(Optional.empty(), null, Map.of(), Optional.empty()))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aReceivedEventExposesItsSwitchboardId() {
        Event event = Event.builder().payload("p").header("sb-id", "w:3:1").build();

        ReceivedEvent received = new ReceivedEvent(event, 2, 17);

        assertThat(received.id()).contains("w:3:1");
        assertThat(received.payloadAsString()).isEqualTo("p");
        assertThat(new ReceivedEvent(Event.of("p"), 0, 0).id()).isEmpty();
        assertThat(new Batch(1, List.of(received)).size()).isEqualTo(1);
        assertThat(Batch.empty().isEmpty()).isTrue();
    }
}
