package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.SwitchboardException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-wide budget of staged (written, uncommitted) event bytes, shared by every write session, and each
 * principal's share of it ({@code max-staged-bytes-per-principal}), so one principal's writers that never commit
 * cannot spend the node's budget and leave every other principal BUSY. Thread-safe.
 *
 * <p>The per-principal map holds only principals with staged bytes (an entry goes when its count reaches zero), so
 * it is bounded by the node's write sessions ({@code max-sessions}).
 */
public final class StagedBytes {
    /** Commits free staged bytes within a round trip or two. */
    static final long RETRY_AFTER_MS = 200;

    private final long max;
    private final long maxPerPrincipal;
    private final AtomicLong used;
    private final ConcurrentMap<String, Long> byPrincipal = new ConcurrentHashMap<>();
    private final BackendCounters counters;

    public StagedBytes(long max, long maxPerPrincipal, BackendCounters counters) {
        this.max = max;
        this.maxPerPrincipal = maxPerPrincipal;
        this.used = counters.stagedBytesGauge();
        this.counters = counters;
    }

    /** What one write session reserves from: the node's budget and, when it has one, its principal's share. */
    Account account(Optional<String> principal) {
        return new Account(principal);
    }

    /** Bytes a principal holds staged on this node now (0 when none). */
    long heldBy(String principal) {
        return byPrincipal.getOrDefault(principal, 0L);
    }

    /** One write session's view of the budget. */
    final class Account {
        private final Optional<String> principal;

        private Account(Optional<String> principal) {
            this.principal = principal;
        }

        /**
         * Takes {@code bytes} from the principal's share and the node's budget; BUSY (retry after
         * {@value #RETRY_AFTER_MS} ms) when they do not fit in either. A chunk larger than a whole share or budget
         * still fits when nothing is held, so a lone writer is never stuck.
         */
        void reserve(long bytes) {
            if (principal.isPresent()) {
                reservePrincipal(principal.get(), bytes);
            }
            try {
                reserveNode(bytes);
            } catch (RuntimeException e) {
                principal.ifPresent(name -> releasePrincipal(name, bytes));
                throw e;
            }
        }

        void release(long bytes) {
            if (bytes > 0) {
                principal.ifPresent(name -> releasePrincipal(name, bytes));
                used.addAndGet(-bytes);
            }
        }
    }

    private void reservePrincipal(String principal, long bytes) {
        long[] refusedAt = {-1};
        byPrincipal.compute(principal, (name, held) -> {
            long now = held == null ? 0 : held;
            if (now + bytes > maxPerPrincipal && now > 0) {
                refusedAt[0] = now;
                return held;
            }
            return now + bytes;
        });
        if (refusedAt[0] >= 0) {
            counters.countWriteRefusedPrincipalStagedBytes();
            throw SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "principal '" + principal + "' holds " + refusedAt[0] + " bytes of uncommitted writes on this node"
                            + " (max-staged-bytes-per-principal " + maxPerPrincipal + "); commit, or retry later");
        }
    }

    private void releasePrincipal(String principal, long bytes) {
        byPrincipal.computeIfPresent(principal, (name, held) -> held - bytes <= 0 ? null : held - bytes);
    }

    private void reserveNode(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > max && now > 0) {
                counters.countWriteRefusedStagedBytes();
                throw SwitchboardException.busy(
                        RETRY_AFTER_MS,
                        "this node holds " + now + " bytes of uncommitted writes (max-staged-bytes " + max
                                + "); commit, or retry later");
            }
            if (used.compareAndSet(now, now + bytes)) {
                return;
            }
        }
    }
}
