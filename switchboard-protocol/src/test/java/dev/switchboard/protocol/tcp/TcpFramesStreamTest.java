package dev.switchboard.protocol.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The streaming frames' payloads round-trip, and malformed ones are refused with a reason. */
class TcpFramesStreamTest {
    @Test
    void aBatchCarriesItsCursorAndResponse() throws Exception {
        byte[] response = {1, 2, 3};

        TcpFrames.StreamBatch batch = TcpFrames.batch(TcpFrames.batch(12, "AbC-_9", response));

        assertThat(batch.seq()).isEqualTo(12);
        assertThat(batch.cursor()).isEqualTo("AbC-_9");
        assertThat(batch.response()).containsExactly(1, 2, 3);
    }

    @Test
    void aBatchWhoseCursorRunsPastTheFrameIsRefused() {
        assertThatThrownBy(() -> TcpFrames.batch(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 9, 'a'}))
                .isInstanceOf(TcpFrames.FrameException.class)
                .hasMessageContaining("runs past");
    }

    @Test
    void aCreditIsEightBytesNamingABatch() throws Exception {
        assertThat(TcpFrames.credit(7, TcpFrames.credit(42))).isEqualTo(42);
        assertThatThrownBy(() -> TcpFrames.credit(7, new byte[4]))
                .isInstanceOf(TcpFrames.FrameException.class)
                .hasMessageContaining("exactly 8 bytes")
                .satisfies(e -> assertThat(((TcpFrames.FrameException) e).id()).isEqualTo(7));
        assertThatThrownBy(() -> TcpFrames.credit(7, TcpFrames.credit(0))).hasMessageContaining("at least 1");
    }

    @Test
    void anEndSaysWhyOrThatItWasAsked() throws Exception {
        TcpFrames.StreamEnd busy = TcpFrames.end(TcpFrames.end(Optional.of(ErrorCode.BUSY), 250, "busy: retry"));
        TcpFrames.StreamEnd asked = TcpFrames.end(TcpFrames.end(Optional.empty(), -1, "cancelled"));

        assertThat(busy).isEqualTo(new TcpFrames.StreamEnd(Optional.of(ErrorCode.BUSY), 250, "busy: retry"));
        assertThat(asked.code()).isEmpty();
        assertThat(asked.text()).isEqualTo("cancelled");
        assertThatThrownBy(() -> TcpFrames.end("short".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("too short");
    }
}
