package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.protocol.thrift.WriteRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every call the SDK makes carries a W3C traceparent of its own, the same on each retry of that call. */
class RpcTraceparentTest {
    private static final String W3C = "00-[0-9a-f]{32}-[0-9a-f]{16}-01";

    private final ManualClock clock = new ManualClock();
    private final List<Map<String, String>> sent = new ArrayList<>();
    private final Exchanger lossy = new Exchanger() {
        @Override
        public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure {
            throw new TransientFailure("no answer");
        }

        @Override
        public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
                throws TransientFailure {
            sent.add(Map.copyOf(headers));
            throw new TransientFailure("no answer");
        }

        @Override
        public void close() {}
    };
    private final Rpc rpc = new Rpc(
            lossy,
            new Retrier(
                    RetryPolicy.builder()
                            .budget(Duration.ofSeconds(1))
                            .initialBackoff(Duration.ofMillis(100))
                            .maxBackoff(Duration.ofMillis(100))
                            .jitter(0)
                            .build(),
                    clock::advance,
                    () -> 0.5,
                    clock));

    @Test
    void eachCallHasItsOwnTraceparentAndItsRetriesShareIt() {
        rpc.opened("s1", Rpc.NO_KEY);
        assertThatThrownBy(() -> rpc.write(new WriteRequest("s1", 1, List.of())))
                .isNotNull();
        int firstCallAttempts = sent.size();
        assertThatThrownBy(() -> rpc.write(new WriteRequest("s1", 2, List.of())))
                .isNotNull();

        assertThat(firstCallAttempts).isGreaterThan(1);
        assertThat(sent)
                .allSatisfy(headers -> assertThat(headers.get("traceparent")).matches(W3C));
        List<String> first = sent.subList(0, firstCallAttempts).stream()
                .map(headers -> headers.get("traceparent"))
                .distinct()
                .toList();
        List<String> second = sent.subList(firstCallAttempts, sent.size()).stream()
                .map(headers -> headers.get("traceparent"))
                .distinct()
                .toList();
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(first.get(0)).isNotEqualTo(second.get(0));
    }

    @Test
    void createdTraceparentsAreValidAndDistinct() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            created.add(Traceparent.create());
        }
        assertThat(created).allSatisfy(value -> assertThat(value).matches(W3C));
        assertThat(created).doesNotHaveDuplicates();
    }
}
