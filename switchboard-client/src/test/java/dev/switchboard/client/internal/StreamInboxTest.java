package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.tcp.TcpFrames;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The inbox between a connection's reader and a streaming subscriber: order, the end after the batches, its bound. */
class StreamInboxTest {
    private static TcpFrames.StreamBatch batch(long seq) {
        return new TcpFrames.StreamBatch(seq, "cursor-" + seq, new byte[0]);
    }

    @Test
    void batchesComeInOrderThenTheEndWhichStays() throws Exception {
        StreamInbox inbox = new StreamInbox(2);
        inbox.batch(batch(1));
        inbox.batch(batch(2));
        inbox.end(new TcpFrames.StreamEnd(Optional.of(ErrorCode.BUSY), 1000, "busy"));

        assertThat(seq(inbox.take(Duration.ZERO))).isEqualTo(1);
        assertThat(seq(inbox.take(Duration.ZERO))).isEqualTo(2);
        assertThat(inbox.take(Duration.ZERO))
                .get()
                .isInstanceOf(StreamInbox.Ended.class)
                .isEqualTo(inbox.take(Duration.ZERO).orElseThrow());
    }

    private static long seq(Optional<StreamInbox.Item> item) {
        return ((StreamInbox.Pushed) item.orElseThrow()).batch().seq();
    }

    @Test
    void nothingYetIsEmptyOnceTheWaitIsOver() throws Exception {
        assertThat(new StreamInbox(1).take(Duration.ofMillis(1))).isEmpty();
    }

    @Test
    void aBatchBeyondTheWindowLosesTheStreamAndDropsWhatItHeld() throws Exception {
        StreamInbox inbox = new StreamInbox(2);
        inbox.batch(batch(1));
        inbox.batch(batch(2));

        inbox.batch(batch(3));
        inbox.batch(batch(4)); // after the end: ignored
        inbox.lost("connection lost"); // the first end stays

        assertThat(inbox.waiting()).isZero();
        assertThat(inbox.take(Duration.ZERO))
                .get()
                .isInstanceOfSatisfying(
                        StreamInbox.Lost.class,
                        lost -> assertThat(lost.reason()).contains("credit window of 2"));
    }
}
