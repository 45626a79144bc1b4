package dev.switchboard.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The queue-delay gate: shut for new work while even the quickest request of the last window waited past the
 * bound (a standing queue), open otherwise, and never shut by itself for long; time is a hand-moved clock.
 */
class QueueDelayGateTest {
    private final HandClock clock = new HandClock();
    private final AtomicLong refused = new AtomicLong();
    private final QueueDelayGate gate = new QueueDelayGate(Duration.ofMillis(500), clock, refused::incrementAndGet);

    @Test
    void quickRequestsLeaveTheGateOpen() {
        window(100, 200, 300);
        window(50);

        assertThatCode(() -> gate.admit("write")).doesNotThrowAnyException();
        assertThat(refused.get()).isZero();
    }

    @Test
    void aWindowWhoseQuickestRequestWaitedPastTheBoundShutsTheGate() {
        window(800, 900, 2000);
        window(700); // ends the window above; its quickest took 800 ms

        assertThatThrownBy(() -> gate.admit("write")).isInstanceOfSatisfying(SwitchboardException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
            assertThat(e.retryAfterMs()).hasValue(800);
            assertThat(e.getMessage()).contains("max-queue-delay 500 ms").contains("write later");
        });
        assertThat(refused.get()).isEqualTo(1);
    }

    @Test
    void aBurstThatLeavesSomeRequestQuickDoesNotShutIt() {
        window(3000, 4000, 100);
        window(100);

        assertThatCode(() -> gate.admit("read")).doesNotThrowAnyException();
    }

    @Test
    void theRetryAfterIsAtMostFiveSeconds() {
        window(60_000);
        window(60_000);

        assertThatThrownBy(() -> gate.admit("allocate"))
                .isInstanceOfSatisfying(
                        SwitchboardException.class,
                        e -> assertThat(e.retryAfterMs()).hasValue(QueueDelayGate.MAX_RETRY_AFTER_MS));
    }

    @Test
    void theGateOpensAgainWhenTheQueueDrainsOrNothingIsAnswered() {
        window(800);
        window(800);
        assertThatThrownBy(() -> gate.admit("write")).isInstanceOf(SwitchboardException.class);

        // a window whose quickest request is under the bound opens it
        window(100);
        window(900);
        assertThatCode(() -> gate.admit("write")).doesNotThrowAnyException();

        // and a shut gate with no request answered for two windows (everything shed) opens by itself
        window(900);
        window(900);
        assertThatThrownBy(() -> gate.admit("write")).isInstanceOf(SwitchboardException.class);
        clock.advance(Duration.ofMillis(2000));
        assertThatCode(() -> gate.admit("write")).doesNotThrowAnyException();
    }

    /** Requests that took {@code millis} each, answered in one window of the gate, then the clock moves past it. */
    private void window(long... millis) {
        for (long took : millis) {
            gate.finished(clock.millis() - took);
        }
        clock.advance(QueueDelayGate.WINDOW);
    }

    /** A clock that moves only when told. */
    private static final class HandClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
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
