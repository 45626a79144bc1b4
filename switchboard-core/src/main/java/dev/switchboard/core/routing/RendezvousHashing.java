package dev.switchboard.core.routing;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Rendezvous (highest-random-weight) hashing: a key goes to the candidate with the highest weight
 * {@code hash(candidate, key)}. Every API node computes the same choice without talking to the others; removing
 * a candidate moves only the keys it had, and adding one takes about 1/n of the keys from the others.
 *
 * <p>The hash is 64-bit FNV-1a over {@code candidate + '\n' + key} (UTF-8), finished with MurmurHash3's fmix64
 * for an even spread. It is part of the cluster's behaviour: changing it moves new sessions between shards.
 */
public final class RendezvousHashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private RendezvousHashing() {}

    /** The candidate {@code key} goes to; empty when there are none. Ties (never seen) go to the lower name. */
    public static Optional<String> choose(String key, Collection<String> candidates) {
        return candidates.stream()
                .max(Comparator.<String>comparingLong(candidate -> weight(candidate, key))
                        .thenComparing(Comparator.reverseOrder()));
    }

    static long weight(String candidate, String key) {
        long hash = FNV_OFFSET;
        hash = fnv(hash, candidate.getBytes(StandardCharsets.UTF_8));
        hash = fnv(hash, new byte[] {'\n'});
        hash = fnv(hash, key.getBytes(StandardCharsets.UTF_8));
        return fmix64(hash);
    }

    private static long fnv(long hash, byte[] bytes) {
        long h = hash;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    private static long fmix64(long value) {
        long k = value;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb93fe53e3b1bL;
        k ^= k >>> 33;
        return k;
    }
}
