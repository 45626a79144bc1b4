package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRequestsTest {
    @Test
    void sumsEveryOutcomeOfACallFromThePrometheusText() {
        // given an API node's /metrics with two outcomes of read and one of ack, and a metric of another name
        String text = """
                # HELP switchboard_requests_total
                # TYPE switchboard_requests_total counter
                switchboard_requests_total{call="read",code="ok"} 12.0
                switchboard_requests_total{call="read",code="busy"} 3.0
                switchboard_requests_total{call="ack",code="ok"} 5.0
                switchboard_request_seconds_count{call="read"} 99.0
                """;

        // when it is parsed, then each call's outcomes are summed and nothing else counts
        assertThat(ApiRequests.parse(text)).containsExactly(Map.entry("ack", 5L), Map.entry("read", 15L));
    }

    @Test
    void aPhaseCountsWhatMovedDuringIt() {
        Map<String, Long> delta = ApiRequests.between(
                Map.of("allocate", 2L, "write", 10L), Map.of("allocate", 2L, "write", 30L, "commit", 4L));

        assertThat(delta).containsExactly(Map.entry("commit", 4L), Map.entry("write", 20L));
        assertThat(ApiRequests.between(Map.of(), Map.of())).isEmpty();
    }

    @Test
    void aPhaseReportsItsCallsPerThousandEvents() {
        PhaseResult phase = new PhaseResult("switchboard", "read", 2000, 0, 1, Latencies.histogram(), 0)
                .withRequests(Map.of("read", 20L, "ack", 0L, "allocate", 1L));

        assertThat(phase.requestsPerThousandEvents())
                .containsExactly(
                        Map.entry("ack", 0.0),
                        Map.entry("allocate", 0.5),
                        Map.entry("read", 10.0),
                        Map.entry("all", 10.5));
        assertThat(BenchResult.describe(phase))
                .endsWith("; calls/1000 events: ack=0.0 allocate=0.5 read=10.0 all=10.5");
    }
}
