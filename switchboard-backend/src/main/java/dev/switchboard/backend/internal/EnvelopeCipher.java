package dev.switchboard.backend.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Envelope encryption of records (DESIGN.md section 5), scheme version 1. A sealed record keeps its key (Kafka
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
 * Records without {@code sb-enc} (written before encryption was enabled) are read as they are.
 */
public final class EnvelopeCipher implements RecordCipher {
    static final String SCHEME = "1";
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

    /** Opens sealed records; seals what is written only when {@code sealing} (encryption enabled). */
    public EnvelopeCipher(DataKeys keys, boolean sealing) {
        this.keys = keys;
        this.sealing = sealing;
    }

    @Override
    public ProducerRecord<byte[], byte[]> seal(ProducerRecord<byte[], byte[]> record) {
        if (!sealing) {
            return record;
        }
        DataKeys.DataKey key = keys.current(record.topic());
        List<Header> user = new ArrayList<>();
        RecordHeaders clear = new RecordHeaders();
        for (Header header : record.headers()) {
            if (Events.SB_ID.equals(header.key())) {
                clear.add(header);
            } else if (!SB_ENC.equals(header.key())) {
                user.add(header);
            }
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(
                Cipher.ENCRYPT_MODE, key.key(), nonce, aad(record.topic(), record.key(), key.id()), body(user, record));
        clear.add(SB_ENC, (SCHEME + ":" + key.id()).getBytes(StandardCharsets.UTF_8));
        byte[] value = ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                .put(nonce)
                .put(sealed)
                .array();
        return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(), value, clear);
    }

    @Override
    public Opened open(ConsumerRecord<byte[], byte[]> record) {
        Header marker = record.headers().lastHeader(SB_ENC);
        if (marker == null) {
            return RecordCipher.clear(record);
        }
        String[] parts = RecordCipher.text(marker.value() == null ? new byte[0] : marker.value())
                .split(":", 2);
        if (parts.length != 2 || !SCHEME.equals(parts[0])) {
            throw new UnreadableRecordException("unknown encryption scheme in the sb-enc header");
        }
        String keyId = parts[1];
        Optional<SecretKey> key = keys.find(keyId);
        if (key.isEmpty()) {
            throw new UnreadableRecordException("data key " + keyId + " is unknown or cannot be unwrapped");
        }
        byte[] value = record.value();
        if (value == null || value.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new UnreadableRecordException("sealed value is truncated");
        }
        byte[] body;
        try {
            body = crypt(
                    Cipher.DECRYPT_MODE,
                    key.get(),
                    java.util.Arrays.copyOf(value, NONCE_BYTES),
                    aad(record.topic(), record.key(), keyId),
                    java.util.Arrays.copyOfRange(value, NONCE_BYTES, value.length));
        } catch (IllegalStateException e) {
            throw new UnreadableRecordException(
                    "authentication failed: the record was altered or sealed under another key");
        }
        return parse(body, record);
    }

    private static byte[] body(List<Header> headers, ProducerRecord<byte[], byte[]> record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(headers.size());
            for (Header header : headers) {
                writeBytes(out, header.key().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, header.value());
            }
            if (record.value() != null) {
                out.write(record.value());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Opened parse(byte[] body, ConsumerRecord<byte[], byte[]> record) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            int count = in.getInt();
            if (count < 0 || count > body.length) {
                throw new UnreadableRecordException("sealed body is malformed");
            }
            List<Header> headers = new ArrayList<>(count + 1);
            for (int i = 0; i < count; i++) {
                byte[] name = readBytes(in);
                if (name == null) {
                    throw new UnreadableRecordException("sealed body is malformed");
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
            throw new UnreadableRecordException("sealed body is malformed");
        }
    }

    private static byte[] readBytes(ByteBuffer in) {
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

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    static byte[] aad(String topic, byte[] recordKey, String keyId) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        byte[] idBytes = keyId.getBytes(StandardCharsets.UTF_8);
        byte[] label = "sb-enc-1".getBytes(StandardCharsets.UTF_8);
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
