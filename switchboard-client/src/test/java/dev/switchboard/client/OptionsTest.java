package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void publisherOptionsHaveDefaultsAndNameWhatIsWrong() {
        PublisherOptions options = PublisherOptions.of("t");
        assertThat(options.guarantee()).isEqualTo(Guarantee.AT_LEAST_ONCE);
        assertThat(PublisherOptions.builder()
                        .topic("t")
                        .guarantee(Guarantee.EXACTLY_ONCE)
                        .build()
                        .guarantee())
                .isEqualTo(Guarantee.EXACTLY_ONCE);

        assertThat(options.chunkEvents()).isEqualTo(500);
        assertThat(options.writerId()).isEmpty();
        assertThat(options.window()).isEmpty();
        assertThatThrownBy(() -> PublisherOptions.builder().build()).hasMessageContaining("topic");
        assertThatThrownBy(() ->
                        PublisherOptions.builder().topic("t").chunkEvents(0).build())
                .hasMessageContaining("chunkEvents");
        assertThatThrownBy(() -> PublisherOptions.builder().topic("t").window(0).build())
                .hasMessageContaining("window");
    }

    @Test
    void subscriberOptionsHaveDefaultsAndNameWhatIsWrong() {
        SubscriberOptions options = SubscriberOptions.of("t");

        assertThat(options.start()).isEqualTo(StartPosition.earliest());
        assertThat(options.maxEvents()).isEqualTo(500);
        assertThat(options.maxWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.cursorStore().load()).isEmpty();
        assertThat(options.streamWindow()).isEqualTo(4);
        assertThat(SubscriberOptions.builder()
                        .topic("t")
                        .streamWindow(0)
                        .build()
                        .streamWindow())
                .isZero();
        assertThatThrownBy(() ->
                        SubscriberOptions.builder().topic("t").streamWindow(65).build())
                .hasMessageContaining("streamWindow");
        assertThatThrownBy(() -> SubscriberOptions.builder().topic(" ").build()).hasMessageContaining("topic");
        assertThatThrownBy(() ->
                        SubscriberOptions.builder().topic("t").maxEvents(0).build())
                .hasMessageContaining("maxEvents");
        assertThatThrownBy(() -> SubscriberOptions.builder()
                        .topic("t")
                        .maxWait(Duration.ofMillis(-1))
                        .build())
                .hasMessageContaining("maxWait");
    }

    @Test
    void retryPolicyDefaultsAndValidation() {
        RetryPolicy defaults = RetryPolicy.defaults();

        assertThat(defaults.budget()).isEqualTo(Duration.ofMinutes(2));
        assertThat(defaults.initialBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(defaults.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(RetryPolicy.builder().build()).isEqualTo(defaults);
        assertThatThrownBy(() ->
                        RetryPolicy.builder().budget(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("budget");
        assertThat(RetryPolicy.none().budget()).isZero();
        assertThat(PublisherOptions.of("t").retryBudget()).isEmpty();
        assertThat(PublisherOptions.builder()
                        .topic("t")
                        .retryBudget(Duration.ofMinutes(5))
                        .build()
                        .retryBudget())
                .contains(Duration.ofMinutes(5));
        assertThatThrownBy(() -> SubscriberOptions.builder()
                        .topic("t")
                        .retryBudget(Duration.ofSeconds(-1))
                        .build())
                .hasMessageContaining("budget");
        assertThatThrownBy(() ->
                        RetryPolicy.builder().maxBackoff(Duration.ofMillis(1)).build())
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5).build()).hasMessageContaining("jitter");
    }

    @Test
    void theClientBuilderNamesWhatIsWrong() {
        assertThatThrownBy(() -> SwitchboardClient.builder().build()).hasMessageContaining("url");
        assertThatThrownBy(() ->
                        SwitchboardClient.builder().url(URI.create("ftp://x")).build())
                .hasMessageContaining("http");
        assertThatThrownBy(() -> SwitchboardClient.builder()
                        .url(URI.create("http://127.0.0.1:1"))
                        .requestTimeout(Duration.ZERO)
                        .build())
                .hasMessageContaining("requestTimeout");
        try (SwitchboardClient client = SwitchboardClient.builder()
                .urls(List.of(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2/")))
                .token("t")
                .build()) {
            assertThat(client).isNotNull(); // building does no I/O
        }
    }
}
