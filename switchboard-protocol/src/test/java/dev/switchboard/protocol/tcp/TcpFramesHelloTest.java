package dev.switchboard.protocol.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpFramesHelloTest {
    @Test
    void featuresRoundTripAndUnknownOnesAreKept() throws Exception {
        byte[] payload = TcpFrames.hello(List.of("lz4", "stream-2"));

        assertThat(new String(payload, StandardCharsets.US_ASCII)).isEqualTo("lz4,stream-2");
        assertThat(TcpFrames.features(payload)).containsExactly("lz4", "stream-2");
        assertThat(TcpFrames.features(new byte[0])).isEmpty();
    }

    @Test
    void malformedFeatureListsBreakTheRules() {
        for (String bad : List.of("LZ4", "lz4,,x", ",lz4", "lz4 ", "a".repeat(40))) {
            assertThatThrownBy(() -> TcpFrames.features(bad.getBytes(StandardCharsets.US_ASCII)))
                    .as(bad)
                    .isInstanceOf(TcpFrames.FrameException.class);
        }
        assertThatThrownBy(() -> TcpFrames.features(new byte[TcpFrames.MAX_HELLO_BYTES + 1]))
                .isInstanceOf(TcpFrames.FrameException.class);
    }

    @Test
    void theCompressedFlagRidesOnTheKind() {
        byte compressedReply = (byte) (TcpFrames.REPLY | TcpFrames.COMPRESSED);

        assertThat(TcpFrames.isCompressed(compressedReply)).isTrue();
        assertThat(TcpFrames.kindOf(compressedReply)).isEqualTo(TcpFrames.REPLY);
        assertThat(TcpFrames.isCompressed(TcpFrames.CALL)).isFalse();
        assertThat(TcpFrames.kindOf(TcpFrames.HELLO)).isEqualTo(TcpFrames.HELLO);
    }
}
