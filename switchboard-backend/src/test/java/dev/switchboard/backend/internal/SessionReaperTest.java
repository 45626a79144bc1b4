package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.NodeLimits;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.testkit.HandClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The session reaper driven by hand: a clock the test moves and ticks the test runs, no real time at all. */
class SessionReaperTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    private final HandClock clock = new HandClock();
    private final List<Runnable> ticks = new ArrayList<>();
    private final Ticker byHand = (period, task) -> {
        assertThat(period).isEqualTo(SessionRegistry.REAP_EVERY);
        ticks.add(task);
        return () -> ticks.remove(task);
    };

    @Test
    void anIdleSessionIsParkedOnceThenDisposedAfterTheTtl() {
        try (SessionRegistry registry =
                new SessionRegistry("n1", TTL, NodeLimits.defaults(), new BackendCounters(), byHand)) {
            TestSession session = new TestSession(clock);
            registry.admit(Optional.empty());
            registry.add(session, Optional.empty());

            tick();
            assertThat(registry.parkedCount()).isZero();

            clock.advance(SessionRegistry.PARK_AFTER.plusSeconds(1));
            tick();
            tick();
            assertThat(session.parked()).isTrue();
            assertThat(session.parks.get())
                    .as("parked once, however often the reaper looks")
                    .isEqualTo(1);
            assertThat(registry.parkedCount()).isEqualTo(1);

            clock.advance(TTL);
            tick();
            assertThat(session.disposed()).isTrue();
            assertThat(registry.find(session.id().toString())).isEmpty();
        }
        assertThat(ticks).as("closing the registry stops its reaper").isEmpty();
    }

    @Test
    void aRequestUnparksASessionAndRestartsItsIdleTime() {
        try (SessionRegistry registry =
                new SessionRegistry("n1", TTL, NodeLimits.defaults(), new BackendCounters(), byHand)) {
            TestSession session = new TestSession(clock);
            registry.admit(Optional.empty());
            registry.add(session, Optional.empty());
            clock.advance(SessionRegistry.PARK_AFTER.plusSeconds(1));
            tick();
            assertThat(session.parked()).isTrue();

            session.submit(new SwitchRequest()).join();
            clock.advance(TTL.minusSeconds(1));
            tick();

            assertThat(session.disposed())
                    .as("idle for less than the TTL since its request")
                    .isFalse();
            assertThat(session.parks.get())
                    .as("idle again long enough: parked again")
                    .isEqualTo(2);
        }
    }

    private void tick() {
        List.copyOf(ticks).forEach(Runnable::run);
    }

    /** A session that records its parks; it runs its queue on the calling thread. */
    private static final class TestSession extends HostedSession {
        final AtomicInteger parks = new AtomicInteger();

        TestSession(Clock clock) {
            super(SessionId.create("s0", "n1"), "topic", Runnable::run, clock);
        }

        @Override
        public SessionMode mode() {
            return SessionMode.READ;
        }

        @Override
        void park() {
            parks.incrementAndGet();
        }

        @Override
        public void wake() {}

        @Override
        SwitchResponse handle(SwitchRequest request) {
            return new SwitchResponse();
        }

        @Override
        void release() {}
    }
}
