package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.backend.NodeLimits;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sessions per node and per principal are admitted before anything is set up for them, and given back. */
class SessionAdmissionTest {
    private final BackendCounters counters = new BackendCounters();

    @Test
    void aPrincipalGetsItsLimitOthersKeepTheirsAndAGivenBackPlaceCanBeTakenAgain() {
        try (SessionRegistry registry = new SessionRegistry(
                "n1", Duration.ofMinutes(5), NodeLimits.defaults().withMaxSessionsPerPrincipal(3), counters)) {
            Optional<String> mallory = Optional.of("mallory");
            for (int i = 0; i < 3; i++) {
                registry.admit(mallory);
            }

            assertThatThrownBy(() -> registry.admit(mallory)).isInstanceOfSatisfying(SwitchboardException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
                assertThat(e.getMessage()).contains("mallory").contains("max-sessions-per-principal");
            });
            registry.admit(Optional.of("alice"));
            registry.admit(Optional.empty());
            registry.unadmit(mallory);
            registry.admit(mallory);
            assertThat(counters.sessionsRefusedPrincipalFull()).isEqualTo(1);
        }
    }

    @Test
    void theNodeLimitHoldsForEveryoneTogether() {
        try (SessionRegistry registry = new SessionRegistry(
                "n1", Duration.ofMinutes(5), NodeLimits.defaults().withMaxSessions(2), counters)) {
            registry.admit(Optional.of("a"));
            registry.admit(Optional.empty());

            assertThatThrownBy(() -> registry.admit(Optional.of("b")))
                    .isInstanceOfSatisfying(
                            SwitchboardException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
            registry.unadmit(Optional.of("a"));
            registry.admit(Optional.of("b"));
            assertThat(counters.sessionsRefusedNodeFull()).isEqualTo(1);
        }
    }
}
