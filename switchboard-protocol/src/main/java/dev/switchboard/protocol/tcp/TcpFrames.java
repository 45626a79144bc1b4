package dev.switchboard.protocol.tcp;

import dev.switchboard.protocol.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The framing of the binary TCP transport ({@code sb://} and, over TLS, {@code sbs://}), shared by the API tier and
 * the SDK; docs/protocol.md "The binary TCP transport" is its specification.
 *
 * <p>A connection starts with the client's 4-byte {@link #PREAMBLE}, then both sides exchange frames:
 *
 * <pre>
 * frame   = length:u32  kind:u8  id:u32  payload      (length counts kind, id and payload; big-endian)
 * CALL    (client) payload = count:u8 (name-len:u8 name value-len:u16 value){count}  thrift-compact call message
 * REPLY   (server) payload = thrift-compact reply message (what HTTP answers with 200)
 * REFUSED (server) payload = code:i32 retry-after-ms:i64 text (UTF-8): the call was not run; the connection stays
 * GOAWAY  (server) payload = text (UTF-8); id = the offending call's id or 0; the server closes the connection
 * HELLO   (both)   payload = feature names, comma-separated (US-ASCII); id 0. Optional: the client's first frame
 *                  lists what it would use, the server answers with what it agrees to (a server that predates HELLO
 *                  answers GOAWAY, and the client connects again without it)
 * STREAM  (client) payload = as CALL, the Thrift message a {@code read} call, header {@code window}: a streamed read
 * BATCH   (server) payload = seq:i64 cursor-len:u16 cursor (ASCII) thrift-compact ReadResponse; id = the stream's
 * CREDIT  (client) payload = seq:i64: batches up to seq are acknowledged, their credit returns; id = the stream's
 * CANCEL  (client) payload = empty: end the stream; id = the stream's
 * END     (server) payload = code:i32 retry-after-ms:i64 text: the stream ended (code 0: as asked); id = the stream's
 * </pre>
 *
 * <p>The high bit of a kind ({@link #COMPRESSED}) marks a CALL or REPLY whose Thrift message is one LZ4 frame
 * ({@link dev.switchboard.protocol.compress.Lz4Frames}), or a BATCH whose ReadResponse is; a CALL's header section
 * and a BATCH's seq and cursor stay as they are. Only after both sides agreed on {@link #LZ4} in HELLO.
 *
 * <p>Headers carry what HTTP headers carry ({@code authorization} on allocate, the request MAC headers after it).
 * Pure encoding and decoding; the sides own their sockets.
 */
public final class TcpFrames {
    /** "SBT" and the framing's version, 1. */
    public static final byte[] PREAMBLE = {'S', 'B', 'T', 1};

    public static final byte CALL = 1;
    public static final byte REPLY = 2;
    public static final byte REFUSED = 3;
    public static final byte GOAWAY = 4;
    public static final byte HELLO = 16;

    /** Flag on a CALL's or REPLY's kind: its Thrift message is one LZ4 frame. */
    public static final byte COMPRESSED = (byte) 0x80;

    /** The HELLO feature for {@link #COMPRESSED} frames. */
    public static final String LZ4 = "lz4";

    /** The largest HELLO payload. */
    public static final int MAX_HELLO_BYTES = 256;

    private static final Pattern FEATURE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    public static final byte STREAM = 5;
    public static final byte BATCH = 6;
    public static final byte CREDIT = 7;
    public static final byte CANCEL = 8;
    public static final byte END = 9;

    /** The STREAM header that asks for a credit window, in batches (decimal). */
    public static final String WINDOW_HEADER = "window";

    /** The END code of a stream ended as the client asked (CANCEL): no error. */
    public static final int ENDED_AS_ASKED = 0;

    /** Bytes of a frame before its payload that {@code length} counts: kind and id. */
    public static final int FRAME_HEADER_BYTES = 5;

    public static final int MAX_HEADERS = 16;
    public static final int MAX_HEADER_NAME_BYTES = 64;
    public static final int MAX_HEADER_VALUE_BYTES = 8 * 1024;
    /** All headers of one call together, with their length prefixes. */
    public static final int MAX_HEADER_SECTION_BYTES = 16 * 1024;

    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private TcpFrames() {}

    /** A frame that breaks the rules; its message is short, fixed text, safe to send back. */
    public static final class FrameException extends Exception {
        private final int id;

        public FrameException(int id, String message) {
            super(message);
            this.id = id;
        }

        /** The id of the frame that broke the rule, 0 when it was not read yet. */
        public int id() {
            return id;
        }
    }

    /** A decoded call: its headers (names lower-case) and its Thrift message. */
    public record Call(Map<String, String> headers, byte[] body) {}

    /** A decoded refusal. */
    public record Refusal(ErrorCode code, long retryAfterMs, String text) {}

    /** Encodes a whole frame, length prefix included. */
    public static byte[] frame(byte kind, int id, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + FRAME_HEADER_BYTES + payload.length);
        buffer.putInt(FRAME_HEADER_BYTES + payload.length).put(kind).putInt(id).put(payload);
        return buffer.array();
    }

    /** The length prefix, kind and id of a frame whose payload follows separately ({@code payloadLength} bytes). */
    public static byte[] frameHeader(byte kind, int id, int payloadLength) {
        return ByteBuffer.allocate(4 + FRAME_HEADER_BYTES)
                .putInt(FRAME_HEADER_BYTES + payloadLength)
                .put(kind)
                .putInt(id)
                .array();
    }

    /** The header section of a CALL payload; the Thrift message follows it. */
    public static byte[] callHeaders(Map<String, String> headers) {
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("at most " + MAX_HEADERS + " headers, got " + headers.size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(headers.size());
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid header name: " + name);
            }
            byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
            if (value.length > MAX_HEADER_VALUE_BYTES) {
                throw new IllegalArgumentException("header " + name + " is longer than " + MAX_HEADER_VALUE_BYTES);
            }
            out.write(name.length());
            out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
            out.write(value.length >>> 8);
            out.write(value.length & 0xff);
            out.writeBytes(value);
        }
        if (out.size() > MAX_HEADER_SECTION_BYTES) {
            throw new IllegalArgumentException("headers take more than " + MAX_HEADER_SECTION_BYTES + " bytes");
        }
        return out.toByteArray();
    }

    /** The header section read so far from a CALL, and how many bytes of the payload it took. */
    public record Headers(Map<String, String> values, int bytes) {}

    /**
     * Reads a CALL's header section from {@code in}, at most {@code available} bytes (the rest of the frame).
     *
     * @throws FrameException when the section breaks a rule (too many, too long, bad names, past the frame)
     */
    public static Headers readHeaders(DataInputStream in, int id, int available) throws IOException, FrameException {
        int consumed = 0;
        if (available < 1) {
            throw new FrameException(id, "the call frame has no header section");
        }
        int count = in.readUnsignedByte();
        consumed++;
        if (count > MAX_HEADERS) {
            throw new FrameException(id, "a call carries at most " + MAX_HEADERS + " headers");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            if (consumed + 1 > available) {
                throw new FrameException(id, "the header section runs past the frame");
            }
            int nameLength = in.readUnsignedByte();
            consumed++;
            if (nameLength == 0 || nameLength > MAX_HEADER_NAME_BYTES || consumed + nameLength + 2 > available) {
                throw new FrameException(id, "invalid header name length");
            }
            String name = new String(in.readNBytes(nameLength), StandardCharsets.US_ASCII);
            if (name.length() != nameLength) {
                throw new EOFException("connection closed inside a frame");
            }
            consumed += nameLength;
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new FrameException(id, "header names are lower-case letters, digits and '-'");
            }
            int valueLength = in.readUnsignedShort();
            consumed += 2;
            if (valueLength > MAX_HEADER_VALUE_BYTES || consumed + valueLength > available) {
                throw new FrameException(id, "invalid header value length");
            }
            byte[] value = in.readNBytes(valueLength);
            if (value.length != valueLength) {
                throw new EOFException("connection closed inside a frame");
            }
            consumed += valueLength;
            if (consumed > MAX_HEADER_SECTION_BYTES) {
                throw new FrameException(id, "the header section is over " + MAX_HEADER_SECTION_BYTES + " bytes");
            }
            if (values.putIfAbsent(name, new String(value, StandardCharsets.UTF_8)) != null) {
                throw new FrameException(id, "header " + name + " appears twice");
            }
        }
        return new Headers(Collections.unmodifiableMap(values), consumed);
    }

    /** Decodes a whole CALL payload (for tests and tools; the server reads from its stream). */
    public static Call call(byte[] payload) throws FrameException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            Headers headers = readHeaders(in, 0, payload.length);
            return new Call(headers.values(), in.readAllBytes());
        } catch (IOException e) {
            throw new FrameException(0, "truncated call frame");
        }
    }

    public static byte[] refusal(ErrorCode code, long retryAfterMs, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + bytes.length)
                .putInt(code.code())
                .putLong(retryAfterMs)
                .put(bytes)
                .array();
    }

    public static Refusal refusal(byte[] payload) throws FrameException {
        if (payload.length < 12) {
            throw new FrameException(0, "refusal frame too short");
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        ErrorCode code = ErrorCode.forCode(buffer.getInt());
        long retryAfter = buffer.getLong();
        return new Refusal(code, retryAfter, new String(payload, 12, payload.length - 12, StandardCharsets.UTF_8));
    }

    /** A kind without its {@link #COMPRESSED} flag. */
    public static byte kindOf(byte kind) {
        return (byte) (kind & ~COMPRESSED);
    }

    public static boolean isCompressed(byte kind) {
        return (kind & COMPRESSED) != 0;
    }

    /** A HELLO payload listing {@code features}. */
    public static byte[] hello(java.util.Collection<String> features) {
        byte[] payload = String.join(",", features).getBytes(StandardCharsets.US_ASCII);
        if (payload.length > MAX_HELLO_BYTES) {
            throw new IllegalArgumentException("a HELLO lists at most " + MAX_HELLO_BYTES + " bytes of features");
        }
        return payload;
    }

    /** The features a HELLO payload lists; unknown ones are kept (the receiver ignores what it does not know). */
    public static java.util.Set<String> features(byte[] payload) throws FrameException {
        if (payload.length > MAX_HELLO_BYTES) {
            throw new FrameException(0, "a HELLO lists at most " + MAX_HELLO_BYTES + " bytes of features");
        }
        java.util.Set<String> features = new java.util.LinkedHashSet<>();
        if (payload.length == 0) {
            return features;
        }
        for (String feature : new String(payload, StandardCharsets.US_ASCII).split(",", -1)) {
            if (!FEATURE.matcher(feature).matches()) {
                throw new FrameException(0, "HELLO features are lower-case names separated by commas");
            }
            features.add(feature);
        }
        return features;
    }

    /** A pushed batch: its seq, the cursor after it and its ReadResponse (Thrift compact struct, not a message). */
    public record StreamBatch(long seq, String cursor, byte[] response) {}

    /** Why a stream ended: {@code code} empty when it ended as the client asked. */
    public record StreamEnd(java.util.Optional<ErrorCode> code, long retryAfterMs, String text) {}

    public static byte[] batch(long seq, String cursor, byte[] response) {
        byte[] prefix = batchPrefix(seq, cursor);
        return ByteBuffer.allocate(prefix.length + response.length)
                .put(prefix)
                .put(response)
                .array();
    }

    /** The start of a BATCH payload, before its ReadResponse: the seq, the cursor and its length. */
    public static byte[] batchPrefix(long seq, String cursor) {
        byte[] ascii = cursor.getBytes(StandardCharsets.US_ASCII);
        if (ascii.length > 0xffff) {
            throw new IllegalArgumentException("a cursor of " + ascii.length + " bytes does not fit a batch frame");
        }
        return ByteBuffer.allocate(10 + ascii.length)
                .putLong(seq)
                .putShort((short) ascii.length)
                .put(ascii)
                .array();
    }

    public static StreamBatch batch(byte[] payload) throws FrameException {
        if (payload.length < 10) {
            throw new FrameException(0, "batch frame too short");
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        long seq = buffer.getLong();
        int length = buffer.getShort() & 0xffff;
        if (10 + length > payload.length) {
            throw new FrameException(0, "batch frame's cursor runs past the frame");
        }
        return new StreamBatch(
                seq,
                new String(payload, 10, length, StandardCharsets.US_ASCII),
                java.util.Arrays.copyOfRange(payload, 10 + length, payload.length));
    }

    public static byte[] credit(long seq) {
        return ByteBuffer.allocate(8).putLong(seq).array();
    }

    /** The seq of a CREDIT payload: exactly 8 bytes, at least 1. */
    public static long credit(int id, byte[] payload) throws FrameException {
        if (payload.length != 8) {
            throw new FrameException(id, "a credit frame carries exactly 8 bytes (the batch seq)");
        }
        long seq = ByteBuffer.wrap(payload).getLong();
        if (seq < 1) {
            throw new FrameException(id, "a credit names a batch seq of at least 1, got " + seq);
        }
        return seq;
    }

    /** An END payload; {@code code} empty = ended as asked. */
    public static byte[] end(java.util.Optional<ErrorCode> code, long retryAfterMs, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + bytes.length)
                .putInt(code.map(ErrorCode::code).orElse(ENDED_AS_ASKED))
                .putLong(retryAfterMs)
                .put(bytes)
                .array();
    }

    public static StreamEnd end(byte[] payload) throws FrameException {
        if (payload.length < 12) {
            throw new FrameException(0, "end frame too short");
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        int code = buffer.getInt();
        long retryAfter = buffer.getLong();
        return new StreamEnd(
                code == ENDED_AS_ASKED ? java.util.Optional.empty() : java.util.Optional.of(ErrorCode.forCode(code)),
                retryAfter,
                new String(payload, 12, payload.length - 12, StandardCharsets.UTF_8));
    }

    public static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
