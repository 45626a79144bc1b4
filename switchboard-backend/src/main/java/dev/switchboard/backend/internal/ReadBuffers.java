package dev.switchboard.backend.internal;

import dev.switchboard.backend.BackendCounters;
import dev.switchboard.protocol.SwitchboardException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-wide budget of read buffers ({@code max-prefetch-bytes}), shared by every read session's read-ahead
 * ({@link Fetcher}) and every tailed topic's cache ({@link TailReaders}), and each principal's share of it for its
 * sessions' read-ahead ({@code max-prefetch-bytes-per-principal}, through an {@link Account}), so one principal's
 * readers cannot spend the node's read buffers and leave every other principal's reads BUSY. Tail caches are
 * shared by every reader of a topic and charged to the node only. Thread-safe.
 *
 * <p>Implementation notes: a fetcher reserves one fetch for its open consumer (the consumer fetches ahead of the
 * next poll on its own) from its first poll until the consumer closes, and one fetch for each poll, which becomes
 * what the poll returned ({@link Account#charge}, then {@link Account#release} of the reservation); it releases
 * records as it hands them out. A poll returns more than one fetch only with several brokers, or a single record
 * batch larger than a fetch, so only such a poll passes the budget. A tail reader reserves its whole cache up front
 * and gives it back when it stops. The per-principal map holds only principals with bytes held (an entry goes at
 * zero), so it is bounded by the node's read sessions.
 */
public final class ReadBuffers {
    /** Read buffers empty within a read or two. */
    static final long RETRY_AFTER_MS = 200;

    private final long max;
    private final long maxPerPrincipal;
    private final AtomicLong used;
    private final ConcurrentMap<String, Long> byPrincipal = new ConcurrentHashMap<>();
    private final BackendCounters counters;

    public ReadBuffers(long max, long maxPerPrincipal, BackendCounters counters) {
        this.max = max;
        this.maxPerPrincipal = maxPerPrincipal;
        this.used = counters.prefetchBytesGauge();
        this.counters = counters;
    }

    /** A budget nothing else shares (tests, sharing off). */
    static ReadBuffers unbounded() {
        return new ReadBuffers(Long.MAX_VALUE, Long.MAX_VALUE, new BackendCounters());
    }

    /** What one read session's read-ahead is charged to: the node's budget and, when it has one, its principal's share. */
    Account account(Optional<String> principal) {
        return new Account(principal);
    }

    /** Bytes of read-ahead a principal's sessions hold on this node now (0 when none). */
    long heldBy(String principal) {
        return byPrincipal.getOrDefault(principal, 0L);
    }

    /** Adds what a poll returned, whatever its size (its reservation is released separately). */
    void charge(long bytes) {
        if (bytes > 0) {
            used.addAndGet(bytes);
        }
    }

    /** Takes {@code bytes} when they fit; false (nothing taken) when they do not. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > max) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /** The answer to a read that has nothing buffered and no room to fetch: BUSY, retry shortly. */
    SwitchboardException full() {
        counters.countReadRefusedPrefetchBytes();
        return SwitchboardException.busy(
                RETRY_AFTER_MS,
                "this node's read buffers hold " + used.get() + " bytes (max-prefetch-bytes " + max + "); retry later");
    }

    /** Counts a tail reader not started for want of room. */
    void countTailRefused() {
        counters.countTailReaderRefusedPrefetchBytes();
    }

    private boolean tryReservePrincipal(String principal, long bytes) {
        boolean[] fits = {false};
        byPrincipal.compute(principal, (name, held) -> {
            long now = held == null ? 0 : held;
            if (now + bytes > maxPerPrincipal) {
                return held;
            }
            fits[0] = true;
            return now + bytes;
        });
        return fits[0];
    }

    private void chargePrincipal(String principal, long bytes) {
        byPrincipal.merge(principal, bytes, Long::sum);
    }

    private void releasePrincipal(String principal, long bytes) {
        byPrincipal.computeIfPresent(principal, (name, held) -> held - bytes <= 0 ? null : held - bytes);
    }

    /** One read session's view of the budget; used by that session's fetcher only. */
    final class Account {
        private final Optional<String> principal;
        /** Whether the last refused reservation was refused by the principal's share (not the node's budget). */
        private volatile boolean refusedByShare;

        private Account(Optional<String> principal) {
            this.principal = principal;
        }

        /** Takes {@code bytes} from the principal's share and the node's budget when they fit in both. */
        boolean tryReserve(long bytes) {
            if (principal.isPresent() && !tryReservePrincipal(principal.get(), bytes)) {
                refusedByShare = true;
                return false;
            }
            if (!ReadBuffers.this.tryReserve(bytes)) {
                principal.ifPresent(name -> releasePrincipal(name, bytes));
                refusedByShare = false;
                return false;
            }
            return true;
        }

        void charge(long bytes) {
            if (bytes > 0) {
                principal.ifPresent(name -> chargePrincipal(name, bytes));
                ReadBuffers.this.charge(bytes);
            }
        }

        void release(long bytes) {
            if (bytes > 0) {
                principal.ifPresent(name -> releasePrincipal(name, bytes));
                ReadBuffers.this.release(bytes);
            }
        }

        /** BUSY for a read with nothing buffered: naming the principal's share when that is what refused it. */
        SwitchboardException full() {
            if (!refusedByShare || principal.isEmpty()) {
                return ReadBuffers.this.full();
            }
            counters.countReadRefusedPrincipalPrefetchBytes();
            return SwitchboardException.busy(
                    RETRY_AFTER_MS,
                    "principal '" + principal.get() + "' holds " + heldBy(principal.get())
                            + " bytes of read buffers on this node (max-prefetch-bytes-per-principal "
                            + maxPerPrincipal + "); ack or dispose sessions, or retry later");
        }
    }
}
