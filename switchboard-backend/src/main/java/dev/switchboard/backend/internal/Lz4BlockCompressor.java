package dev.switchboard.backend.internal;

import java.util.Arrays;

/**
 * An LZ4 block compressor (the standard block format, read by lz4-java's safe decompressor like any other) for the
 * sealed envelope's small bodies, whose hash table is kept per thread instead of allocated per call.
 *
 * <p>Why not lz4-java's compressor: it allocates and zeroes a fresh 16 KiB hash table on every call. For a 1 KiB
 * event that is most of the work: a JFR profile of a standalone write of JSON events put 25.6% of all samples in
 * the envelope's compression (lz4-java's {@code compress64k} 12.2% self, most of it that table), and the table was
 * most of the bytes allocated. Here the table's entries carry a per-call base ({@code base + position}), so entries
 * left by earlier calls are recognised as stale (they fall below the base) without clearing it; it is cleared only
 * when the base would overflow.
 *
 * <p>The format's end rules are kept (the last five bytes are literals, no match starts within the last twelve),
 * so every conforming decoder reads the output. Greedy matching with LZ4's acceleration over incompressible runs;
 * the ratio is close to lz4-java's fast compressor's. Thread-safe (state is per thread).
 */
final class Lz4BlockCompressor {
    private static final int MIN_MATCH = 4;
    private static final int LAST_LITERALS = 5;
    private static final int MF_LIMIT = 12;
    private static final int MAX_DISTANCE = 65_535;
    private static final int HASH_LOG = 12;
    private static final int SKIP_STRENGTH = 6;
    private static final int RUN_MASK = 15;

    /** One thread's hash table and the base of its next call. */
    private static final class Table {
        private final int[] entries = new int[1 << HASH_LOG];
        private int nextBase = 1;

        /** The base for a call whose positions stay below {@code end}; every stale entry lies below it. */
        int base(int end) {
            if ((long) nextBase + end + 1 > Integer.MAX_VALUE) {
                Arrays.fill(entries, 0);
                nextBase = 1;
            }
            int base = nextBase;
            nextBase = base + end + 1;
            return base;
        }
    }

    private static final ThreadLocal<Table> TABLES = ThreadLocal.withInitial(Table::new);

    private Lz4BlockCompressor() {}

    /** The most bytes {@link #compress} writes for {@code length} bytes of input (lz4-java's bound too). */
    static int maxCompressedLength(int length) {
        return length + length / 255 + 16;
    }

    /**
     * Compresses {@code src[srcOff, srcOff + srcLen)} into {@code dest} from {@code destOff}, which must have room
     * for {@link #maxCompressedLength}{@code (srcLen)} bytes; returns the number of bytes written.
     */
    static int compress(byte[] src, int srcOff, int srcLen, byte[] dest, int destOff) {
        int srcEnd = srcOff + srcLen;
        int d = destOff;
        int anchor = srcOff;
        if (srcLen > MF_LIMIT) {
            Table table = TABLES.get();
            int[] entries = table.entries;
            int base = table.base(srcEnd);
            int mfLimit = srcEnd - MF_LIMIT; // a match starts before this
            int matchLimit = srcEnd - LAST_LITERALS; // and ends at or before this
            int ip = srcOff;
            search:
            while (true) {
                int ref;
                int searches = 1 << SKIP_STRENGTH;
                while (true) {
                    if (ip >= mfLimit) {
                        break search;
                    }
                    int sequence = readInt(src, ip);
                    int h = hash(sequence);
                    ref = entries[h] - base;
                    entries[h] = base + ip;
                    if (ref >= srcOff && ip - ref <= MAX_DISTANCE && readInt(src, ref) == sequence) {
                        break;
                    }
                    ip += searches++ >>> SKIP_STRENGTH;
                }
                while (ip > anchor && ref > srcOff && src[ip - 1] == src[ref - 1]) {
                    ip--;
                    ref--;
                }
                int length = MIN_MATCH;
                while (ip + length < matchLimit && src[ip + length] == src[ref + length]) {
                    length++;
                }
                d = sequence(src, anchor, ip - anchor, dest, d, ip - ref, length - MIN_MATCH);
                ip += length;
                anchor = ip;
                if (ip < mfLimit) {
                    entries[hash(readInt(src, ip - 2))] = base + ip - 2;
                }
            }
        }
        int literals = srcEnd - anchor;
        d = literalRun(dest, d, literals, 0);
        System.arraycopy(src, anchor, dest, d, literals);
        return d + literals - destOff;
    }

    /** One sequence: its literals, then a match of {@code matchLength + MIN_MATCH} bytes {@code offset} back. */
    private static int sequence(
            byte[] src, int literalsFrom, int literals, byte[] dest, int d, int offset, int matchLength) {
        d = literalRun(dest, d, literals, Math.min(matchLength, RUN_MASK));
        System.arraycopy(src, literalsFrom, dest, d, literals);
        d += literals;
        dest[d++] = (byte) offset;
        dest[d++] = (byte) (offset >>> 8);
        if (matchLength >= RUN_MASK) {
            d = lengthBytes(dest, d, matchLength - RUN_MASK);
        }
        return d;
    }

    /** The token (literal count and the match's low nibble) and the literal count's extra bytes. */
    private static int literalRun(byte[] dest, int d, int literals, int matchNibble) {
        dest[d++] = (byte) ((Math.min(literals, RUN_MASK) << 4) | matchNibble);
        if (literals >= RUN_MASK) {
            d = lengthBytes(dest, d, literals - RUN_MASK);
        }
        return d;
    }

    private static int lengthBytes(byte[] dest, int d, int remaining) {
        while (remaining >= 255) {
            dest[d++] = (byte) 255;
            remaining -= 255;
        }
        dest[d++] = (byte) remaining;
        return d;
    }

    private static int readInt(byte[] src, int at) {
        return (src[at] & 0xff) | (src[at + 1] & 0xff) << 8 | (src[at + 2] & 0xff) << 16 | (src[at + 3] & 0xff) << 24;
    }

    private static int hash(int sequence) {
        return (sequence * -1640531535) >>> (32 - HASH_LOG);
    }
}
