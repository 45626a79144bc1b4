package dev.switchboard.protocol.compress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompressionPolicyTest {
    @Test
    void aBodyPaysWhenItShrinksByAtLeastAFifth() {
        assertThat(CompressionPolicy.pays(1000, 800)).isTrue();
        assertThat(CompressionPolicy.pays(1000, 400)).isTrue();
        assertThat(CompressionPolicy.pays(1000, 801)).isFalse();
        // what the SDK's gzip (a tenth) and the envelope (an eighth) used to take as paying
        assertThat(CompressionPolicy.pays(1000, 900)).isFalse();
        assertThat(CompressionPolicy.pays(1000, 875)).isFalse();
        assertThat(CompressionPolicy.pays(1000, 1000)).isFalse();
        assertThat(CompressionPolicy.pays(1000, 1010)).isFalse();
    }

    @Test
    void everyChannelDecidesByTheSameRule() {
        CompressionPolicy policy = new CompressionPolicy(10);

        assertThat(policy.paid(1000, 800))
                .isEqualTo(CompressionPolicy.pays(1000, 800))
                .isTrue();
        assertThat(policy.compress(1000)).isTrue();
        assertThat(policy.paid(1000, 850))
                .isEqualTo(CompressionPolicy.pays(1000, 850))
                .isFalse();
        assertThat(policy.compress(1000)).isFalse();
    }

    @Test
    void compressibleBodiesAreCompressedThroughout() {
        CompressionPolicy policy = new CompressionPolicy(10);

        for (int i = 0; i < 3 * CompressionPolicy.SKIP_AFTER_POOR; i++) {
            assertThat(policy.compress(1000)).as("body %d", i).isTrue();
            assertThat(policy.paid(1000, 300)).isTrue();
        }
    }

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
