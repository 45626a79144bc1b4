package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import org.junit.jupiter.api.Test;

/** The node-wide read-buffer budget and the per-principal count of requests in progress. */
class NodeBudgetsTest {
    private final BackendCounters counters = new BackendCounters();

    @Test
    void aPrincipalGetsItsRequestsOthersKeepTheirsAndAnEndedRequestFreesAPlace() {
        PrincipalRequests requests = new PrincipalRequests(2, counters);
        requests.enter("mallory");
        requests.enter("mallory");

        assertThatThrownBy(() -> requests.enter("mallory")).isInstanceOfSatisfying(SwitchboardException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
            assertThat(e.retryAfterMs()).hasValue(PrincipalRequests.RETRY_AFTER_MS);
            assertThat(e.getMessage()).contains("mallory").contains("max-requests-per-principal");
        });
        requests.enter("alice");
        requests.leave("mallory");
        requests.enter("mallory");
        assertThat(requests.inProgress("mallory")).isEqualTo(2);
        assertThat(counters.requestsRefusedPrincipalBusy()).isEqualTo(1);
    }

    @Test
    void aPrincipalWithNothingInProgressHoldsNoEntry() {
        PrincipalRequests requests = new PrincipalRequests(2, counters);
        requests.enter("once");
        requests.leave("once");
        requests.leave("once"); // an extra leave never goes negative

        assertThat(requests.inProgress("once")).isZero();
    }

    @Test
    void readBuffersChargeAndReleaseAndRefuseOnlyWhatDoesNotFit() {
        ReadBuffers buffers = new ReadBuffers(100, counters);
        buffers.charge(60);

        assertThat(buffers.tryReserve(41)).isFalse();
        assertThat(buffers.tryReserve(40)).isTrue();
        assertThat(counters.prefetchBytes()).isEqualTo(100);
        buffers.release(60);
        assertThat(counters.prefetchBytes()).isEqualTo(40);
        SwitchboardException full = buffers.full();
        assertThat(full.code()).isEqualTo(ErrorCode.BUSY);
        assertThat(full.getMessage()).contains("max-prefetch-bytes 100");
        assertThat(counters.readsRefusedPrefetchBytes()).isEqualTo(1);
    }
}
