package dev.switchboard.client.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** gzip for request and response bodies. */
final class Gzip {
    private Gzip() {}

    static byte[] compress(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 4));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory gzip failed", e); // cannot happen with byte arrays
        }
        return out.toByteArray();
    }

    /** Decompresses {@code data}; an IOException means the body is not valid gzip. */
    static byte[] decompress(byte[] data) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data), 8192)) {
            return in.readAllBytes();
        }
    }
}
