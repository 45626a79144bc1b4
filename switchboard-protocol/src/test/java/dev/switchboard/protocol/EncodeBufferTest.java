package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TCompactProtocol;
import org.junit.jupiter.api.Test;

class EncodeBufferTest {

    @Test
    void encodesExactlyWhatThriftsOwnSerializerDoesAndGrowsFromATinyStart() throws Exception {
        byte[] body = new byte[3000];
        Arrays.fill(body, (byte) 7);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // payloads that are slices of a larger array, as a decoded request's are
            events.add(new Event()
                    .setPayload(ByteBuffer.wrap(body, i * 100, 100 + i).slice())
                    .setHeaders(Map.of("h", ByteBuffer.wrap(new byte[] {(byte) i})))
                    .setOffset(i));
        }
        ReadResponse response = new ReadResponse(3, events);
        byte[] expected = new TSerializer(new TCompactProtocol.Factory()).serialize(response);

        EncodeBuffer buffer = new EncodeBuffer(1);
        response.write(new TCompactProtocol(buffer));

        assertThat(buffer.length()).isEqualTo(expected.length);
        assertThat(buffer.toByteArray()).isEqualTo(expected);
        assertThat(Arrays.copyOf(buffer.array(), buffer.length())).isEqualTo(expected);
        // the events' buffers are read, not consumed
        assertThat(events.get(5).bufferForPayload().remaining()).isEqualTo(105);
    }

    @Test
    void aBufferFilledExactlyIsReturnedWithoutACopy() {
        EncodeBuffer buffer = new EncodeBuffer(16);
        buffer.write(ByteBuffer.wrap(new byte[16]).asReadOnlyBuffer());

        assertThat(buffer.toByteArray()).isSameAs(buffer.array());
    }
}
