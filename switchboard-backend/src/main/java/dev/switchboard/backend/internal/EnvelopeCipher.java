package dev.switchboard.backend.internal;

import dev.switchboard.protocol.compress.CompressionPolicy;
import dev.switchboard.protocol.thrift.Event;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Envelope encryption of records (DESIGN.md section 5), scheme versions 1 and 2. A sealed record keeps its key (Kafka
 * partitions and compacts by it), its timestamp and the {@code sb-id} header in clear, and carries:
 *
 * <ul>
 *   <li>header {@code sb-enc} = {@code 1:<data key id>};
 *   <li>value = 96-bit random nonce || AES-256-GCM(data key, nonce, aad, body) with its 128-bit tag;
 *   <li>body = user header count, then each name (length, UTF-8) and value (length, -1 for null, bytes), then
 *       the payload to the end;
 *   <li>aad = "sb-enc-1", then topic, record key and data key id, each length-prefixed (key length -1 when
 *       absent), so a sealed value moved to another topic, key or key id fails to open.
 * </ul>
 *
 * <p>Version 2 compresses before it encrypts (ciphertext does not compress, so this is the only place it can
 * happen): header {@code sb-enc} = {@code 2:<data key id>}, aad label "sb-enc-2", and the encrypted body is a
 * codec byte (1 = LZ4 block), the version-1 body's length (4 bytes) and the LZ4 block of that body. It is written
 * only when compressing is on and pays (a body of at least {@value #MIN_COMPRESS_BYTES} bytes shrinking by at
 * least a fifth, {@link CompressionPolicy#pays}, the rule the wire compression follows too); everything else is written as version 1, so random or already compressed payloads cost the
 * same bytes as before, and after a record that did not pay the next 100 of its topic are not even tried (see
 * {@link CompressionPolicy}), so they cost hardly any CPU either. Both versions are always read. The LZ4 block is only ever decompressed after AES-GCM
 * authenticated it, by lz4-java's pure-Java safe decompressor, into a buffer of the length it announces (at most
 * {@value #MAX_OPENED_BYTES} bytes).
 *
 * Records without {@code sb-enc} are read as they are only when accepted ({@code accept-unsealed}, or while
 * not sealing); otherwise they are {@link Fault#UNSEALED}: a record produced around Switchboard (a plain Kafka
 * producer) is never delivered as a genuine event.
 */
public final class EnvelopeCipher implements RecordCipher {
    static final String SCHEME = "1";
    static final String COMPRESSED_SCHEME = "2";
    static final int MIN_COMPRESS_BYTES = 256;
    static final int MAX_OPENED_BYTES = 64 * 1024 * 1024;
    private static final byte LZ4_BLOCK = 1;
    // Decompressing: the pure-Java LZ4 (no JNI, no Unsafe): no native library loaded into the node, and none of
    // lz4-java's known flaws with crafted input (they are in the JNI and Unsafe variants). Compressing: our own
    // Lz4BlockCompressor (same block format), since lz4-java's allocates a 16 KiB table per record.
    private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4.safeDecompressor();
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    // Cipher.getInstance costs a provider lookup per call (measured: about 4% of a write run's CPU samples);
    // a Cipher is reusable after doFinal but not thread-safe, so one per thread.
    private static final ThreadLocal<Cipher> AES_GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    });

    private final DataKeys keys;
    private final boolean sealing;
    private final boolean acceptUnsealed;
    private final boolean compress;
    /**
     * Whether compressing pays, by topic (hashed into a fixed number of slots, so bounded; topics sharing a slot
     * share its judgement): after a record that LZ4 did not shrink by a fifth, the next 100 of its slot are sealed
     * as version 1 without trying. Measured before: on random payloads the backend spent a quarter of all CPU
     * samples of a standalone write in LZ4 that never paid.
     */
    private final CompressionPolicy[] policies = new CompressionPolicy[64];

    /**
     * Opens sealed records; seals what is written only when {@code sealing} (encryption enabled). Records
     * without {@code sb-enc} are read as they are only while not sealing.
     */
    public EnvelopeCipher(DataKeys keys, boolean sealing) {
        this(keys, sealing, !sealing);
    }

    /**
     * @param acceptUnsealed read records without {@code sb-enc} as they are (migrating a plaintext topic); when
     *     false, such a record is {@link Fault#UNSEALED} and never delivered
     */
    public EnvelopeCipher(DataKeys keys, boolean sealing, boolean acceptUnsealed) {
        this(keys, sealing, acceptUnsealed, false);
    }

    /** @param compress seal compressible records as version 2 (LZ4 before AES-GCM) */
    public EnvelopeCipher(DataKeys keys, boolean sealing, boolean acceptUnsealed, boolean compress) {
        this.keys = keys;
        this.sealing = sealing;
        this.acceptUnsealed = acceptUnsealed;
        this.compress = compress;
        for (int i = 0; i < policies.length; i++) {
            policies[i] = new CompressionPolicy(MIN_COMPRESS_BYTES);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> seal(ProducerRecord<byte[], byte[]> record) {
        if (!sealing) {
            return record;
        }
        List<String> names = new ArrayList<>();
        List<@Nullable ByteBuffer> values = new ArrayList<>();
        for (Header header : record.headers()) {
            if (!EventRecords.SB_ID.equals(header.key()) && !SB_ENC.equals(header.key())) {
                names.add(header.key());
                values.add(header.value() == null ? null : ByteBuffer.wrap(header.value()));
            }
        }
        Header sbId = record.headers().lastHeader(EventRecords.SB_ID);
        return sealed(
                record.topic(),
                record.partition(),
                record.timestamp(),
                record.key(),
                names,
                values,
                record.value() == null ? null : ByteBuffer.wrap(record.value()),
                sbId == null ? null : sbId.value());
    }

    /** Seals straight from the event's buffers, without first copying its payload into a plain record. */
    @Override
    public ProducerRecord<byte[], byte[]> seal(String topic, Event event, String sbId) {
        if (!sealing) {
            return EventRecords.toRecord(topic, event, sbId);
        }
        List<String> names = new ArrayList<>();
        List<ByteBuffer> values = new ArrayList<>();
        if (event.isSetHeaders()) {
            event.getHeaders().forEach((name, value) -> {
                if (!EventRecords.SB_ID.equals(name) && !SB_ENC.equals(name)) {
                    names.add(name);
                    values.add(value);
                }
            });
        }
        return sealed(
                topic,
                null,
                event.isSetTimestamp() ? event.getTimestamp() : null,
                event.isSetKey() ? EventRecords.bytes(event.bufferForKey()) : null,
                names,
                values,
                event.bufferForPayload(),
                sbId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The sealed record. One array holds the whole value (nonce, body, tag) and is encrypted in place: no
     * intermediate copies of the payload (measured with JFR: they were a quarter of the bytes a write run
     * allocated). The buffers are read without moving their positions.
     */
    private ProducerRecord<byte[], byte[]> sealed(
            String topic,
            @Nullable Integer partition,
            @Nullable Long timestamp,
            byte @Nullable [] recordKey,
            List<String> headerNames,
            List<@Nullable ByteBuffer> headerValues,
            @Nullable ByteBuffer payload,
            byte @Nullable [] sbId) {
        DataKeys.DataKey key = keys.current(topic);
        List<byte[]> names = new ArrayList<>(headerNames.size());
        int bodyLength = 4 + remaining(payload);
        for (int i = 0; i < headerNames.size(); i++) {
            byte[] name = headerNames.get(i).getBytes(StandardCharsets.UTF_8);
            names.add(name);
            bodyLength += 8 + name.length + remaining(headerValues.get(i));
        }
        byte[] value = new byte[NONCE_BYTES + bodyLength + TAG_BITS / 8];
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, value, 0, NONCE_BYTES);
        ByteBuffer body = ByteBuffer.wrap(value, NONCE_BYTES, bodyLength);
        body.putInt(names.size());
        for (int i = 0; i < names.size(); i++) {
            putBytes(body, ByteBuffer.wrap(names.get(i)));
            putBytes(body, headerValues.get(i));
        }
        if (payload != null) {
            body.put(payload.duplicate());
        }
        String scheme = SCHEME;
        CompressionPolicy policy = policies[Math.floorMod(topic.hashCode(), policies.length)];
        byte[] compressed = null;
        if (compress && policy.compress(bodyLength)) {
            compressed = compressed(value, bodyLength);
            if (compressed == null) {
                policy.notCompressed(); // incompressible (random, encrypted): the topic's next records skip LZ4
            }
        }
        if (compressed != null) {
            scheme = COMPRESSED_SCHEME;
            System.arraycopy(nonce, 0, compressed, 0, NONCE_BYTES);
            value = compressed;
            bodyLength = compressed.length - NONCE_BYTES - TAG_BITS / 8;
        }
        try {
            Cipher cipher = AES_GCM.get();
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(scheme, topic, recordKey, key.id()));
            cipher.doFinal(value, NONCE_BYTES, bodyLength, value, NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
        RecordHeaders clear = new RecordHeaders();
        if (sbId != null) {
            clear.add(EventRecords.SB_ID, sbId);
        }
        clear.add(SB_ENC, (scheme + ":" + key.id()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, partition, timestamp, recordKey, value, clear);
    }

    /**
     * The version-2 value for the plain body in {@code value} (after the nonce): room for the nonce, codec byte,
     * body length, LZ4 block and tag; null when compressing does not pay ({@link CompressionPolicy#pays}: the codec
     * byte and length count as part of the compressed body).
     */
    private static byte @Nullable [] compressed(byte[] value, int bodyLength) {
        int header = 1 + 4;
        byte[] out = new byte[NONCE_BYTES + header + Lz4BlockCompressor.maxCompressedLength(bodyLength) + TAG_BITS / 8];
        int length = Lz4BlockCompressor.compress(value, NONCE_BYTES, bodyLength, out, NONCE_BYTES + header);
        if (!CompressionPolicy.pays(bodyLength, header + length)) {
            return null;
        }
        out[NONCE_BYTES] = LZ4_BLOCK;
        ByteBuffer.wrap(out, NONCE_BYTES + 1, 4).putInt(bodyLength);
        return java.util.Arrays.copyOf(out, NONCE_BYTES + header + length + TAG_BITS / 8);
    }

    private static int remaining(@Nullable ByteBuffer buffer) {
        return buffer == null ? 0 : buffer.remaining();
    }

    @Override
    public Opened open(ConsumerRecord<byte[], byte[]> record) {
        Header marker = record.headers().lastHeader(SB_ENC);
        if (marker == null) {
            if (acceptUnsealed) {
                return RecordCipher.clear(record);
            }
            throw new UnreadableRecordException(Fault.UNSEALED, "the record is not sealed (no sb-enc header)");
        }
        String[] parts = RecordCipher.text(marker.value() == null ? new byte[0] : marker.value())
                .split(":", 2);
        if (parts.length != 2 || !(SCHEME.equals(parts[0]) || COMPRESSED_SCHEME.equals(parts[0]))) {
            throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "unknown encryption scheme in the sb-enc header");
        }
        String keyId = parts[1];
        SecretKey key = switch (keys.lookup(keyId)) {
            case DataKeys.Lookup.Found found -> found.key();
            case DataKeys.Lookup.Unknown unknown ->
                throw new UnreadableRecordException(
                        Fault.UNDECRYPTABLE, "data key " + keyId + " is unknown (not in the keys topic)");
            case DataKeys.Lookup.Unavailable unavailable ->
                throw new UnreadableRecordException(
                        Fault.NODE, "data key " + keyId + " cannot be unwrapped on this node");
        };
        byte[] value = record.value();
        if (value == null || value.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed value is truncated");
        }
        byte[] body;
        try {
            body = crypt(
                    Cipher.DECRYPT_MODE,
                    key,
                    java.util.Arrays.copyOf(value, NONCE_BYTES),
                    aad(parts[0], record.topic(), record.key(), keyId),
                    java.util.Arrays.copyOfRange(value, NONCE_BYTES, value.length));
        } catch (IllegalStateException e) {
            throw new UnreadableRecordException(
                    Fault.UNDECRYPTABLE, "authentication failed: the record was altered or sealed under another key");
        }
        return parse(COMPRESSED_SCHEME.equals(parts[0]) ? decompressed(body) : body, record);
    }

    /** The version-1 body inside an (authenticated) version-2 body. */
    private static byte[] decompressed(byte[] body) {
        if (body.length < 5 || body[0] != LZ4_BLOCK) {
            throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "unknown compression in the sealed body");
        }
        int length = ByteBuffer.wrap(body, 1, 4).getInt();
        if (length < 4 || length > MAX_OPENED_BYTES) {
            throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed body is malformed");
        }
        byte[] plain = new byte[length];
        try {
            int written = DECOMPRESSOR.decompress(body, 5, body.length - 5, plain, 0, length);
            if (written != length) {
                throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed body is malformed");
            }
        } catch (LZ4Exception e) {
            throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed body is malformed");
        }
        return plain;
    }

    private static Opened parse(byte[] body, ConsumerRecord<byte[], byte[]> record) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            int count = in.getInt();
            if (count < 0 || count > body.length) {
                throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed body is malformed");
            }
            List<Header> headers = new ArrayList<>(count + 1);
            for (int i = 0; i < count; i++) {
                byte[] name = readBytes(in);
                if (name == null) {
                    throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed body is malformed");
                }
                headers.add(new RecordHeader(RecordCipher.text(name), readBytes(in)));
            }
            for (Header header : record.headers()) {
                if (!SB_ENC.equals(header.key())) {
                    headers.add(header);
                }
            }
            byte[] payload = new byte[in.remaining()];
            in.get(payload);
            return new Opened(payload, headers);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new UnreadableRecordException(Fault.UNDECRYPTABLE, "sealed body is malformed");
        }
    }

    private static byte @Nullable [] readBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }

    private static void putBytes(ByteBuffer out, @Nullable ByteBuffer value) {
        if (value == null) {
            out.putInt(-1);
        } else {
            out.putInt(value.remaining());
            out.put(value.duplicate());
        }
    }

    static byte[] aad(String topic, byte @Nullable [] recordKey, String keyId) {
        return aad(SCHEME, topic, recordKey, keyId);
    }

    /** The aad of scheme version {@code scheme}: its label names the version, so no version opens as another. */
    static byte[] aad(String scheme, String topic, byte @Nullable [] recordKey, String keyId) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        byte[] idBytes = keyId.getBytes(StandardCharsets.UTF_8);
        byte[] label = ("sb-enc-" + scheme).getBytes(StandardCharsets.UTF_8);
        int keyLength = recordKey == null ? 0 : recordKey.length;
        ByteBuffer aad = ByteBuffer.allocate(label.length + 12 + topicBytes.length + keyLength + idBytes.length);
        aad.put(label).putInt(topicBytes.length).put(topicBytes);
        aad.putInt(recordKey == null ? -1 : recordKey.length);
        if (recordKey != null) {
            aad.put(recordKey);
        }
        aad.putInt(idBytes.length).put(idBytes);
        return aad.array();
    }

    /** AES-GCM; an authentication failure comes back as IllegalStateException. */
    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, byte[] aad, byte[] input) {
        try {
            Cipher cipher = AES_GCM.get();
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("authentication failed", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }
}
