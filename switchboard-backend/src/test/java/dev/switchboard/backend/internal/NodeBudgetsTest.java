package dev.switchboard.backend.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.util.Optional;
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
        ReadBuffers buffers = new ReadBuffers(100, 100, counters);
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

    @Test
    void onePrincipalPastItsShareOfReadBuffersIsBusyWhileAnotherPrincipalStillReads() {
        // Given a node's read buffers of 100 bytes, 40 of them at most for one principal
        ReadBuffers buffers = new ReadBuffers(100, 40, counters);
        ReadBuffers.Account mallory = buffers.account(Optional.of("mallory"));
        ReadBuffers.Account alice = buffers.account(Optional.of("alice"));
        assertThat(mallory.tryReserve(30)).isTrue();

        // When mallory's readers want more than her share, though the node has room for it
        assertThat(mallory.tryReserve(20)).isFalse();
        SwitchboardException full = mallory.full();

        // Then she is BUSY, told whose share and which key, with a retry-after; nothing was taken
        assertThat(full.code()).isEqualTo(ErrorCode.BUSY);
        assertThat(full.retryAfterMs()).hasValue(ReadBuffers.RETRY_AFTER_MS);
        assertThat(full.getMessage()).contains("principal 'mallory'").contains("max-prefetch-bytes-per-principal 40");
        assertThat(counters.readsRefusedPrincipalPrefetchBytes()).isEqualTo(1);
        assertThat(counters.readsRefusedPrefetchBytes()).isZero();
        assertThat(buffers.heldBy("mallory")).isEqualTo(30);

        // And alice, another principal on the same node, still reads ahead
        assertThat(alice.tryReserve(30)).isTrue();
        assertThat(counters.prefetchBytes()).isEqualTo(60);

        // And what the node refuses is still the node's: alice past the node's budget gets its answer
        assertThat(buffers.tryReserve(35)).isTrue(); // a tail cache, the node's only
        assertThat(alice.tryReserve(6)).isFalse(); // within her share, not within the node's 100
        assertThat(alice.full().getMessage()).contains("max-prefetch-bytes 100");
        assertThat(buffers.heldBy("alice")).isEqualTo(30);

        // And released bytes go back to the share and the node
        mallory.release(30);
        alice.charge(5);
        alice.release(35);
        assertThat(buffers.heldBy("mallory")).isZero();
        assertThat(buffers.heldBy("alice")).isZero();
        assertThat(counters.prefetchBytes()).isEqualTo(35);
    }
}
