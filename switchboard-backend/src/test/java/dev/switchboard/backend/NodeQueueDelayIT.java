package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose requests wait past {@code max-queue-delay} sheds new writes with BUSY and a retry-after, at once,
 * while commits still finish what it holds; once its requests are quick again it takes writes again. Against a
 * real Kafka broker; the waiting is made by the node's clock, which jumps on every read while the test says so
 * (no sleeping, no timing).
 */
class NodeQueueDelayIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "node-queue-delay-it-secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void aNodeBehindShedsNewWritesButCommitsWhatItHolds() {
        JumpingClock clock = new JumpingClock();
        try (BackendNode node = BackendNode.start(
                BackendConfig.builder("queue-delay", KAFKA.bootstrapServers())
                        .autoCreateTopics(true)
                        .limits(SessionLimits.builder()
                                .sessionTtl(Duration.ofHours(1))
                                .build())
                        .nodeLimits(NodeLimits.defaults().withMaxQueueDelay(Duration.ofMillis(100)))
                        .build(),
                SECRET,
                clock)) {
            Calls calls = new Calls(node);
            String writer = calls.writer("queue-delay", "w").getSessionId();

            // Given writes that each take at least a second from arrival to answer (two reads of the clock)
            clock.jumping(true);
            long seq = 1;
            SwitchResponse answer = calls.call(Calls.writeRequest(writer, seq, chunk(seq)));
            while (answer.isSetWrite() && seq < 10) {
                seq++;
                answer = calls.call(Calls.writeRequest(writer, seq, chunk(seq)));
            }
            clock.jumping(false);

            // Then once a window of them has passed, the next write is answered BUSY at once, with a retry-after,
            // naming the limit (the first window has no request answered, the second ends with the first write's)
            assertThat(seq).isEqualTo(3);
            assertBusy(answer);
            long staged = seq - 1;

            // And so is the same write again, while the node has not answered anything quick since
            assertBusy(calls.call(Calls.writeRequest(writer, seq, chunk(seq))));
            assertThat(node.counters().requestsRefusedQueueDelay()).isEqualTo(2);

            // And the node still commits what it holds
            assertThat(calls.commit(writer, staged)).isEqualTo(staged);

            // And once two windows pass without a slow answer, the same write is taken
            clock.advance(Duration.ofSeconds(2));
            assertThat(calls.write(writer, seq, chunk(seq)).getStagedSeq()).isEqualTo(seq);
        }
    }

    private static void assertBusy(SwitchResponse answer) {
        assertThat(answer.isSetError()).as("answer %s", answer).isTrue();
        assertThat(ErrorCode.fromThrift(answer.getError().getCode())).isEqualTo(ErrorCode.BUSY);
        assertThat(answer.getError().getRetryAfterMs()).isBetween(100L, 5_000L);
        assertThat(answer.getError().getMessage()).contains("max-queue-delay 100 ms");
    }

    private static List<Event> chunk(long seq) {
        return List.of(new Event().setPayload(ByteBuffer.wrap(("event " + seq).getBytes(StandardCharsets.UTF_8))));
    }

    /** Real time plus what the test added; while jumping, every read moves it half a second on. */
    private static final class JumpingClock extends Clock {
        private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
        private final long startNanos = System.nanoTime();
        private final AtomicLong added = new AtomicLong();
        private final AtomicBoolean jumping = new AtomicBoolean();

        void jumping(boolean value) {
            jumping.set(value);
        }

        void advance(Duration duration) {
            added.addAndGet(duration.toNanos());
        }

        @Override
        public Instant instant() {
            long extra = jumping.get() ? added.addAndGet(Duration.ofMillis(500).toNanos()) : added.get();
            return start.plusNanos(System.nanoTime() - startNanos + extra);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
