package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.bench.ClusterSimulation.Model;
import dev.switchboard.bench.ClusterSimulation.Result;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The model of docs/scaling.md: 100 backend nodes in 10 shards and 20 API nodes, with the per-request CPU costs
 * measured by {@code bench --scaling} (see the page for the command and the caveat about the machine they were
 * measured on). It checks what the page says the simulation shows: which tier saturates first, that the simulated
 * throughput meets the arithmetic bound, and what an uneven spread of topics over shards costs. Prints its
 * figures, which the page quotes.
 */
class HundredNodeModelTest {
    // measured (bench --scaling --mode write, 1 shard x 4 nodes, docs/scaling.md): CPU seconds per switch request
    static final double API_SECONDS = 0.0067;
    static final double BACKEND_SECONDS = 0.0069;
    static final double BROKER_SECONDS = 0.0015;
    // assumed machines: 2-core API and backend nodes, 4-core brokers
    static final double NODE_CORES = 2;
    static final double BROKER_CORES = 4;
    static final int SHARDS = 10;
    static final int BACKENDS_PER_SHARD = 10;
    static final int APIS = 20;

    private static Model model(int apis, int[] sessionShards) {
        return new Model(
                apis,
                SHARDS,
                BACKENDS_PER_SHARD,
                sessionShards,
                1,
                API_SECONDS,
                BROKER_SECONDS,
                BACKEND_SECONDS,
                NODE_CORES,
                BROKER_CORES,
                NODE_CORES,
                0);
    }

    /** The arithmetic bound: the smallest capacity of the three tiers, in requests per second, evenly spread. */
    static double bound() {
        double api = APIS * NODE_CORES / API_SECONDS;
        double brokers = SHARDS * BROKER_CORES / BROKER_SECONDS;
        double backends = SHARDS * BACKENDS_PER_SHARD * NODE_CORES / BACKEND_SECONDS;
        return Math.min(api, Math.min(brokers, backends));
    }

    @Test
    void evenlySpreadTheApiTierSaturatesFirstAtTheArithmeticBound() {
        Result result = new ClusterSimulation(model(APIS, Model.evenly(4000, SHARDS)), false, 11).run(2, 10);
        System.out.printf(
                "even spread, 4000 sessions: %.0f requests/s (bound %.0f), api %.2f broker %.2f backend %.2f,"
                        + " mean response %.1f ms%n",
                result.requestsPerSecond(),
                bound(),
                result.apiUtilization(),
                result.brokerUtilization(),
                result.backendUtilization(),
                result.meanResponseSeconds() * 1000);

        // an API node costs as much CPU per request as a backend node: 20 of them serve what 20 backends can
        assertThat(result.bottleneck()).isEqualTo("api");
        assertThat(result.requestsPerSecond() / bound()).isCloseTo(1.0, within(0.05));
    }

    @Test
    void fewTopicsOverTenShardsOverloadTheBusiestShardFirst() {
        // with API nodes enough not to limit (100), sessions follow their topic's shard: 100 busy topics of 20
        // sessions each, hashed to shards; 2000 sessions evenly spread keep the backends busy but not full
        SplittableRandom hash = new SplittableRandom(5);
        int[] topicShard = new int[100];
        for (int topic = 0; topic < topicShard.length; topic++) {
            topicShard[topic] = hash.nextInt(SHARDS);
        }
        int[] sessionShards = new int[2000];
        for (int session = 0; session < sessionShards.length; session++) {
            sessionShards[session] = topicShard[session % topicShard.length];
        }
        Result even = new ClusterSimulation(model(100, Model.evenly(2000, SHARDS)), false, 11).run(2, 10);
        Result hashed = new ClusterSimulation(model(100, sessionShards), false, 11).run(2, 10);
        int[] perShard = new int[SHARDS];
        for (int shard : topicShard) {
            perShard[shard]++;
        }
        int busiest = java.util.Arrays.stream(perShard).max().orElseThrow();
        System.out.printf(
                "2000 sessions on 100 topics, 100 API nodes: even %.0f requests/s (busiest backend %.2f, %.1f ms); hashed (topics per"
                        + " shard %s) %.0f requests/s = %.2f of even (busiest backend %.2f, %.1f ms)%n",
                even.requestsPerSecond(),
                even.backendUtilization(),
                even.meanResponseSeconds() * 1000,
                java.util.Arrays.toString(perShard),
                hashed.requestsPerSecond(),
                hashed.requestsPerSecond() / even.requestsPerSecond(),
                hashed.backendUtilization(),
                hashed.meanResponseSeconds() * 1000);

        assertThat(busiest).isGreaterThan(10);
        assertThat(hashed.backendUtilization()).isGreaterThan(even.backendUtilization());
        assertThat(hashed.requestsPerSecond()).isLessThan(even.requestsPerSecond());
    }
}
