package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GzipPolicyTest {
    private final GzipPolicy policy = new GzipPolicy(1000);

    @Test
    void compressesOnlyBodiesAboveTheThreshold() {
        assertThat(policy.compressRequest(1000)).isFalse();
        assertThat(policy.compressRequest(1001)).isTrue();
    }

    @Test
    void keepsCompressingWhileItPays() {
        policy.requestCompressed(10_000, 2_000);

        assertThat(policy.compressRequest(10_000)).isTrue();
    }

    @Test
    void afterAPoorResultSkipsSomeBodiesThenTriesAgain() {
        policy.requestCompressed(10_000, 9_950);

        for (int i = 0; i < GzipPolicy.SKIP_AFTER_POOR; i++) {
            assertThat(policy.compressRequest(10_000)).as("body %d", i).isFalse();
        }
        assertThat(policy.compressRequest(10_000)).isTrue();
    }

    @Test
    void stopsAskingForGzippedAnswersWhileTheyDoNotShrink() {
        assertThat(policy.acceptGzipAnswer()).isTrue();

        policy.answerDecompressed(9_990, 10_000);

        for (int i = 0; i < GzipPolicy.SKIP_AFTER_POOR; i++) {
            assertThat(policy.acceptGzipAnswer()).isFalse();
        }
        assertThat(policy.acceptGzipAnswer()).isTrue();

        policy.answerDecompressed(1_000, 10_000);
        assertThat(policy.acceptGzipAnswer()).isTrue();
    }
}
