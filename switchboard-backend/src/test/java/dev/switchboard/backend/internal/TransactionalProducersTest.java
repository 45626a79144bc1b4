package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import org.junit.jupiter.api.Test;

class TransactionalProducersTest {

    @Test
    void pastTheBoundAnExactlyOnceAllocateIsBusyUntilASlotIsReleased() {
        // given a node allowing two exactly-once writers, both taken
        TransactionalProducers producers = new TransactionalProducers(2);
        Runnable first = producers.acquire();
        producers.acquire();

        // then a third is BUSY, naming the setting
        assertThatThrownBy(producers::acquire).isInstanceOfSatisfying(SwitchboardException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
            assertThat(e.getMessage()).contains("max-transactional-producers");
        });

        // and releasing one (twice counts once) makes room for exactly one
        first.run();
        first.run();
        assertThat(producers.inUse()).isEqualTo(1);
        producers.acquire();
        assertThatThrownBy(producers::acquire).isInstanceOf(SwitchboardException.class);
    }

    @Test
    void zeroTurnsExactlyOnceOff() {
        assertThatThrownBy(() -> new TransactionalProducers(0).acquire())
                .isInstanceOfSatisfying(
                        SwitchboardException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }
}
