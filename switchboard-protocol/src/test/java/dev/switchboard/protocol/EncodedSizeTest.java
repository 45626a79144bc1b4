package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TCompactProtocol;
import org.junit.jupiter.api.Test;

class EncodedSizeTest {

    @Test
    void guessesAtLeastTheEncodedSizeAndNotMuchMore() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(new Event()
                    .setKey(new byte[16])
                    .setPayload(ByteBuffer.wrap(new byte[1024]))
                    .setHeaders(Map.of("sb-id", ByteBuffer.wrap("writer-1:12:345".getBytes())))
                    .setTimestamp(1_700_000_000_000L)
                    .setPartition(2)
                    .setOffset(1_000_000L + i));
        }
        int encoded = new TSerializer(new TCompactProtocol.Factory()).serialize(new ReadResponse(7, events)).length;

        int guess = EncodedSize.ofEvents(events);

        assertThat(guess).isGreaterThanOrEqualTo(encoded).isLessThan(encoded + encoded / 10);
    }

    @Test
    void anEmptyBatchNeedsOnlyTheFraming() {
        assertThat(EncodedSize.ofEvents(List.of())).isEqualTo(EncodedSize.FRAMING_BYTES);
    }
}
