package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.switching.amqp.NodeState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PresenceTest {
    @Test
    void beatSurvivesTheWire() {
        Presence beat = new Presence(
                "s0", "n-1", NodeState.DRAINING, OptionalInt.of(12), 3, Duration.ofMillis(1000), "0.1.0", false);

        assertThat(Presence.decode(beat.encode())).contains(beat);
    }

    @Test
    void wireFormIsReadableText() {
        Presence beat = new Presence(
                "s0", "n1", NodeState.SERVING, OptionalInt.empty(), 0, Duration.ofSeconds(1), "0.1.0", true);

        assertThat(new String(beat.encode(), StandardCharsets.UTF_8))
                .isEqualTo("v=1;shard=s0;node=n1;state=serving;inflight=0;interval-ms=1000;version=0.1.0;kafka=up");
    }

    @Test
    void versionCannotBreakTheFormat() {
        Presence beat = new Presence(
                "s0", "n1", NodeState.SERVING, OptionalInt.empty(), 0, Duration.ofSeconds(1), "1;x=2 y", true);

        assertThat(Presence.decode(beat.encode()))
                .hasValueSatisfying(read -> assertThat(read.version()).isEqualTo("1_x_2_y"));
    }

    @Test
    void aBeatWithoutTheKafkaKeyMeansKafkaIsReachable() {
        byte[] old = "v=1;shard=s0;node=n1;state=serving;inflight=0;interval-ms=500;version=9"
                .getBytes(StandardCharsets.UTF_8);
        byte[] down = "v=1;shard=s0;node=n1;state=serving;inflight=0;interval-ms=500;version=9;kafka=down"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(Presence.decode(old))
                .hasValueSatisfying(beat -> assertThat(beat.kafkaReachable()).isTrue());
        assertThat(Presence.decode(down))
                .hasValueSatisfying(beat -> assertThat(beat.kafkaReachable()).isFalse());
    }

    @Test
    void unknownKeysAreIgnored() {
        byte[] body = "v=1;shard=s0;node=n1;state=serving;inflight=2;interval-ms=500;version=9;load=0.5"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(Presence.decode(body)).hasValueSatisfying(beat -> {
            assertThat(beat.node()).isEqualTo("n1");
            assertThat(beat.inflight()).isEqualTo(2);
            assertThat(beat.interval()).isEqualTo(Duration.ofMillis(500));
        });
    }

    @Test
    void somethingElseIsNotABeat() {
        for (String body : new String[] {
            "",
            "hello",
            "v=2;shard=s0;node=n1;state=serving;inflight=0;interval-ms=1000",
            "v=1;shard=s0;state=serving;inflight=0;interval-ms=1000",
            "v=1;shard=s.0;node=n1;state=serving;inflight=0;interval-ms=1000",
            "v=1;shard=s0;node=n1;state=asleep;inflight=0;interval-ms=1000",
            "v=1;shard=s0;node=n1;state=serving;inflight=x;interval-ms=1000",
            "v=1;shard=s0;node=n1;state=serving;inflight=0;interval-ms=0"
        }) {
            assertThat(Presence.decode(body.getBytes(StandardCharsets.UTF_8)))
                    .as(body)
                    .isEmpty();
        }
    }
}
