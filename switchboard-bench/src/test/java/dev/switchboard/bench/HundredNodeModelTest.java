package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.bench.ClusterSimulation.Model;
import dev.switchboard.bench.ClusterSimulation.Result;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The model of docs/scaling.md: 100 backend nodes in 10 shards and 20 API nodes, with the per-request CPU costs
 * measured by {@code bench --scaling} (the page gives the command, the line and what the caps do to the figures). It
 * checks what the page says: the tier the arithmetic says saturates first is the one the simulation finds busiest,
 * at the arithmetic bound, and an uneven spread of topics over shards costs throughput at the busiest shard. Prints
 * its figures, which the page quotes.
 */
class HundredNodeModelTest {
    // measured: bench --scaling --mode write, shards=1 nodes=4 (2026-12-05 12:48-13:10, quiet 2-core machine, nodes
    // capped at 0.06 cores, JIT settled): CPU seconds per switch request (a write or a commit of a 100-event chunk)
    static final double API_SECONDS = 791e-6;
    static final double BACKEND_SECONDS = 779e-6;
    static final double BROKER_SECONDS = 508e-6;
    // a switch request is 4 broker operations: the request's publish and delivery, the answer's publish and delivery
    static final double BROKER_SECONDS_PER_MESSAGE_OPERATION = BROKER_SECONDS / 4;
    // assumed machines: 2-core API and backend nodes, 4-core brokers
    static final double NODE_CORES = 2;
    static final double BROKER_CORES = 4;
    static final int SHARDS = 10;
    static final int BACKENDS_PER_SHARD = 10;
    static final int APIS = 20;

    /**
     * The share of a broker's CPU that presence takes, per second: each backend's beat published once and delivered to
     * every API node, and every API node's 4 probes a second through its own presence queue (publish and delivery).
     */
    static double presenceShare(int apis) {
        double operations = BACKENDS_PER_SHARD + BACKENDS_PER_SHARD * apis + apis * 4 * 2;
        return operations * BROKER_SECONDS_PER_MESSAGE_OPERATION / BROKER_CORES;
    }

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
                presenceShare(apis));
    }

    /** Each tier's capacity in requests per second, evenly spread: API nodes, brokers (less presence), backends. */
    static double[] capacities(int apis) {
        return new double[] {
            apis * NODE_CORES / API_SECONDS,
            SHARDS * BROKER_CORES * (1 - presenceShare(apis)) / BROKER_SECONDS,
            SHARDS * BACKENDS_PER_SHARD * NODE_CORES / BACKEND_SECONDS
        };
    }

    private static final String[] TIERS = {"api", "broker", "backend"};

    /** The tier the arithmetic says saturates first. */
    static String firstLimit(int apis) {
        double[] capacities = capacities(apis);
        int first = 0;
        for (int tier = 1; tier < capacities.length; tier++) {
            if (capacities[tier] < capacities[first]) {
                first = tier;
            }
        }
        return TIERS[first];
    }

    static double bound(int apis) {
        return Arrays.stream(capacities(apis)).min().orElseThrow();
    }

    @Test
    void evenlySpreadTheTierTheArithmeticNamesSaturatesFirstAtTheBound() {
        for (int apis : new int[] {APIS, 100}) {
            Result result = new ClusterSimulation(model(apis, Model.evenly(4000, SHARDS)), false, 11).run(2, 10);
            double[] capacities = capacities(apis);
            System.out.printf(
                    "%d API nodes, even spread, 4000 sessions: %.0f requests/s (bound %.0f: api %.0f, brokers %.0f,"
                            + " backends %.0f; presence %.1f%% of a broker), api %.2f broker %.2f backend %.2f,"
                            + " mean response %.1f ms%n",
                    apis,
                    result.requestsPerSecond(),
                    bound(apis),
                    capacities[0],
                    capacities[1],
                    capacities[2],
                    presenceShare(apis) * 100,
                    result.apiUtilization(),
                    result.brokerUtilization(),
                    result.backendUtilization(),
                    result.meanResponseSeconds() * 1000);

            assertThat(result.bottleneck()).isEqualTo(firstLimit(apis));
            assertThat(result.requestsPerSecond() / bound(apis)).isCloseTo(1.0, within(0.05));
        }
        // with the measured costs: 20 API nodes are the first limit; with 100, the brokers
        assertThat(firstLimit(APIS)).isEqualTo("api");
        assertThat(firstLimit(100)).isEqualTo("broker");
    }

    @Test
    void fewTopicsOverTenShardsOverloadTheBusiestShardFirst() {
        // API nodes enough not to limit (100), so the brokers are the first limit: 100 busy topics with 2 sessions
        // each, hashed to shards, against the same 200 sessions evenly spread (20 a shard: every broker just full)
        SplittableRandom hash = new SplittableRandom(5);
        int[] topicShard = new int[100];
        for (int topic = 0; topic < topicShard.length; topic++) {
            topicShard[topic] = hash.nextInt(SHARDS);
        }
        int[] sessionShards = new int[200];
        for (int session = 0; session < sessionShards.length; session++) {
            sessionShards[session] = topicShard[session % topicShard.length];
        }
        Result even = new ClusterSimulation(model(100, Model.evenly(200, SHARDS)), false, 11).run(2, 10);
        Result hashed = new ClusterSimulation(model(100, sessionShards), false, 11).run(2, 10);
        int[] perShard = new int[SHARDS];
        for (int shard : topicShard) {
            perShard[shard]++;
        }
        System.out.printf(
                "200 sessions on 100 topics, 100 API nodes: even %.0f requests/s (busiest broker %.2f, mean response"
                        + " %.1f ms); hashed (topics per shard %s) %.0f requests/s = %.2f of even (busiest broker %.2f,"
                        + " mean response %.1f ms)%n",
                even.requestsPerSecond(),
                even.brokerUtilization(),
                even.meanResponseSeconds() * 1000,
                Arrays.toString(perShard),
                hashed.requestsPerSecond(),
                hashed.requestsPerSecond() / even.requestsPerSecond(),
                hashed.brokerUtilization(),
                hashed.meanResponseSeconds() * 1000);

        assertThat(Arrays.stream(perShard).max().orElseThrow()).isGreaterThan(13);
        // the busiest shards' brokers run full and their sessions wait, while the brokers of shards with fewer topics
        // have room: less throughput than the even spread, whose brokers are all just full
        assertThat(even.brokerUtilization()).isGreaterThan(0.9);
        assertThat(hashed.brokerUtilization()).isGreaterThan(0.95);
        assertThat(hashed.requestsPerSecond()).isLessThan(0.97 * even.requestsPerSecond());
    }
}
