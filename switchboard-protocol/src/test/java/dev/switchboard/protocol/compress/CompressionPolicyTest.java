package dev.switchboard.protocol.compress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompressionPolicyTest {
    @Test
    void smallBodiesAreNeverCompressed() {
        CompressionPolicy policy = new CompressionPolicy(2048);

        assertThat(policy.compress(2047)).isFalse();
        assertThat(policy.compress(2048)).isTrue();
    }

    @Test
    void afterAPoorResultTheNextHundredGoAsTheyAreThenOneIsTriedAgain() {
        CompressionPolicy policy = new CompressionPolicy(10);

        assertThat(policy.paid(1000, 950)).isFalse();
        int skipped = 0;
        while (!policy.compress(1000)) {
            skipped++;
        }
        assertThat(skipped).isEqualTo(CompressionPolicy.SKIP_AFTER_POOR);
        assertThat(policy.paid(1000, 400)).isTrue();
        assertThat(policy.compress(1000)).isTrue();
    }

    @Test
    void aBodyTheOtherSideDidNotCompressStopsAskingForAWhile() {
        CompressionPolicy policy = new CompressionPolicy(10);
        assertThat(policy.tryNow()).isTrue();

        policy.notCompressed();

        assertThat(policy.tryNow()).isFalse();
    }
}
