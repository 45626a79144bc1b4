package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.internal.FetcherMode.Close;
import dev.switchboard.backend.internal.FetcherMode.CloseConsumer;
import dev.switchboard.backend.internal.FetcherMode.Closed;
import dev.switchboard.backend.internal.FetcherMode.Event;
import dev.switchboard.backend.internal.FetcherMode.Joined;
import dev.switchboard.backend.internal.FetcherMode.LeaveTail;
import dev.switchboard.backend.internal.FetcherMode.Left;
import dev.switchboard.backend.internal.FetcherMode.Mode;
import dev.switchboard.backend.internal.FetcherMode.Opened;
import dev.switchboard.backend.internal.FetcherMode.Own;
import dev.switchboard.backend.internal.FetcherMode.Park;
import dev.switchboard.backend.internal.FetcherMode.Parked;
import dev.switchboard.backend.internal.FetcherMode.Step;
import dev.switchboard.backend.internal.FetcherMode.Tailing;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (mode, event) pair of a fetcher. The machine only moves references, so the tail reader here is a
 * placeholder (null): starting a real one needs Kafka, and the machine never calls it.
 */
class FetcherModeTest {
    private static final Consumer<byte[], byte[]> OLD = new MockConsumer<>("earliest");
    private static final Consumer<byte[], byte[]> NEW = new MockConsumer<>("earliest");
    private static final TailReader READER = null;
    private static final Map<TopicPartition, Long> AT = Map.of(new TopicPartition("t", 0), 7L);
    private static final Map<TopicPartition, Long> OWN_AT = Map.of(new TopicPartition("t", 0), 9L);

    private static final Own OWN = new Own(OLD);
    private static final Tailing TAILING = new Tailing(READER, AT);
    private static final Parked PARKED = new Parked(AT);
    private static final Closed CLOSED = new Closed();

    static Stream<Arguments> legal() {
        return Stream.of(
                row(OWN, new Park(OWN_AT), new Parked(OWN_AT), new CloseConsumer(OLD)),
                row(OWN, new Joined(READER, OWN_AT), new Tailing(READER, OWN_AT), new CloseConsumer(OLD)),
                row(OWN, new Close(), CLOSED, new CloseConsumer(OLD)),
                row(TAILING, new Park(OWN_AT), PARKED, new LeaveTail(READER)), // its positions are the tailing ones
                row(TAILING, new Left(), PARKED, new LeaveTail(READER)),
                row(TAILING, new Close(), CLOSED, new LeaveTail(READER)),
                row(PARKED, new Park(OWN_AT), PARKED, null),
                row(PARKED, new Joined(READER, AT), TAILING, null),
                row(PARKED, new Opened(NEW), new Own(NEW), null),
                row(PARKED, new Close(), CLOSED, null),
                row(CLOSED, new Close(), CLOSED, null));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("legal")
    void movesAsTheTableSays(Mode from, Event event, Mode to, FetcherMode.Effect effect) {
        Step step = FetcherMode.apply(from, event);

        assertThat(step.mode()).isEqualTo(to);
        assertThat(step.effects()).isEqualTo(effect == null ? List.of() : List.of(effect));
    }

    static Stream<Arguments> illegal() {
        return Stream.of(
                Arguments.of(OWN, new Left()),
                Arguments.of(OWN, new Opened(NEW)),
                Arguments.of(TAILING, new Joined(READER, AT)),
                Arguments.of(TAILING, new Opened(NEW)),
                Arguments.of(PARKED, new Left()),
                Arguments.of(CLOSED, new Park(AT)),
                Arguments.of(CLOSED, new Joined(READER, AT)),
                Arguments.of(CLOSED, new Left()),
                Arguments.of(CLOSED, new Opened(NEW)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("illegal")
    void refusesWhatTheFetcherNeverDoes(Mode from, Event event) {
        assertThatThrownBy(() -> FetcherMode.apply(from, event)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClosedConsumerIsNeverKept() {
        for (Event event : List.of(new Park(OWN_AT), new Joined(READER, OWN_AT), new Close())) {
            Step step = FetcherMode.apply(OWN, event);
            assertThat(step.mode()).isNotInstanceOf(Own.class);
            assertThat(step.effects()).containsExactly(new CloseConsumer(OLD));
        }
    }

    private static Arguments row(Mode from, Event event, Mode to, FetcherMode.Effect effect) {
        return Arguments.of(from, event, to, effect);
    }
}
