package dev.switchboard.bench;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * What {@code bench --scaling} runs: the same workload on fresh local clusters of every (shards, backend nodes per
 * shard) pair, every API and backend process capped at {@code nodeCpu} cores, the load generator (this process),
 * Kafka and the AMQP broker uncapped. "Nodes" are backend nodes per shard: a configuration of {@code s} shards and
 * {@code n} nodes has {@code s x n} backends. API nodes are scaled alongside: as many as backend nodes per shard
 * (each serves every shard), and the load generator spreads its sessions over them evenly (as a load balancer
 * would). The offered load is a closed
 * loop that grows with the nodes: {@code sessionsPerNode} sessions per backend node, each with a bounded number
 * of requests in flight, so every configuration keeps its nodes busy and none is driven past what it can answer.
 *
 * @param mode write, read or roundtrip
 * @param nodes backend nodes per shard, ascending (default 1, 2, 4); the scaling line compares the last with the
 *     first
 * @param shards shard counts, ascending (default 1, 2); one scaling line each
 * @param nodeCpu cores per API and backend process
 * @param sessionsPerNode concurrent sessions per backend node of the configuration, each on a topic of its own
 *     (topics spread the sessions over shards)
 * @param seconds length of the measured window per configuration; also of the uncapped warm-up, and it sets the
 *     capped warm-up's slices ({@link #sliceSeconds}) and longest length ({@link #maxCappedWarmupSeconds})
 * @param jitWaitSeconds how much longer than {@code seconds} the uncapped warm-up may go on waiting for the nodes'
 *     JIT to settle ({@link ScalingPoint#JIT_SETTLED_SHARE}); 0 waits no longer
 * @param size payload bytes per event
 * @param batch events per chunk (write) or poll (read)
 * @param readEvents read mode: events per session topic, written before the warm-up (untimed); a reader that
 *     reaches the end starts again from the beginning with a new session
 * @param amqp the AMQP broker, each shard a virtual host of it (as local-cluster makes them)
 */
public record ScalingSettings(
        BenchMode mode,
        List<Integer> nodes,
        List<Integer> shards,
        double nodeCpu,
        int sessionsPerNode,
        int seconds,
        int jitWaitSeconds,
        int size,
        int batch,
        int readEvents,
        URI amqp) {

    /**
     * The share of the machine the largest configuration may keep busy with the default --node-cpu: under {@link
     * ScalingPoint#SATURATED_BUSY}, with room for the nodes' JIT (uncapped) and whatever else runs.
     */
    static final double BUSY_TARGET = 0.75;

    /**
     * CPU the uncapped parts (load generator, Kafka, AMQP broker) use per core of work of the capped nodes. Measured:
     * {@code bench --scaling --mode write --duration 12 --node-cpu 0.15 --shards 1} on a quiet 2-core machine
     * (2026-12-05), 1 node: the nodes 0.26 cores, load generator 0.10, Kafka 0.11, broker 0.03 (0.24, about 1:1).
     */
    static final double UNCAPPED_PER_NODE_CORE = 1.0;

    /** The smallest default cap: below it a JVM spends its slice on its own housekeeping. */
    static final double MIN_DEFAULT_NODE_CPU = 0.05;

    /**
     * Sessions per backend node by default: with {@link TimedLoad#CHUNKS_IN_FLIGHT} chunks each, enough requests
     * in flight to keep a capped node busy, few enough that its queue stays a second or two long.
     */
    public static final int DEFAULT_SESSIONS_PER_NODE = 4;

    /**
     * How long the uncapped warm-up may wait for the nodes' JIT to settle by default. Measured (2026-12-05 12:21,
     * write, one shard, 4 nodes: 8 JVMs on 2 cores): their compiler threads used 0.5 to 0.6 cores for the first two
     * minutes, and still 0.26 in a window that started 135 s after the load.
     */
    public static final int DEFAULT_JIT_WAIT_SECONDS = 300;

    /** Two consecutive warm-up slices within this share of each other: the capped rate is steady. */
    static final double STEADY_WITHIN = 0.1;

    public ScalingSettings {
        Objects.requireNonNull(mode, "mode");
        if (mode == BenchMode.TAIL) {
            throw new IllegalArgumentException("--scaling measures write, read or roundtrip, not tail");
        }
        nodes = ascending(nodes, "--nodes");
        shards = ascending(shards, "--shards");
        if (!(nodeCpu >= 0.01)) {
            throw new IllegalArgumentException("--node-cpu must be at least 0.01 cores, got " + nodeCpu);
        }
        if (jitWaitSeconds < 0) {
            throw new IllegalArgumentException("--jit-wait must be 0 or more seconds, got " + jitWaitSeconds);
        }
        if (sessionsPerNode < 1 || seconds < 1 || size < BenchSettings.MIN_SIZE || batch < 1 || readEvents < 1) {
            throw new IllegalArgumentException("--sessions-per-node, --duration, --batch must be at least 1 and --size"
                    + " at least " + BenchSettings.MIN_SIZE);
        }
    }

    private static List<Integer> ascending(List<Integer> values, String option) {
        if (values.isEmpty() || values.getFirst() < 1 || values.getLast() > 16) {
            throw new IllegalArgumentException(option + " takes 1 to 16, got " + values);
        }
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) <= values.get(i - 1)) {
                throw new IllegalArgumentException(option + " must be ascending, got " + values);
            }
        }
        return List.copyOf(values);
    }

    /** API and backend processes of one configuration, each capped. */
    static int cappedProcesses(int nodesPerShard, int shardCount) {
        return nodesPerShard * shardCount + nodesPerShard;
    }

    /**
     * The default cap: the largest configuration's capped processes, each busy to its cap, and the uncapped parts
     * that serve them ({@link #UNCAPPED_PER_NODE_CORE} as much again) keep {@link #BUSY_TARGET} of the machine busy;
     * rounded down to hundredths, at least {@link #MIN_DEFAULT_NODE_CPU}. So the largest configuration is measured
     * on a machine with CPU to spare, and the capped nodes, not the machine, set every rate.
     */
    public static double defaultNodeCpu(List<Integer> nodes, List<Integer> shards, int cores) {
        double share = BUSY_TARGET
                * cores
                / (cappedProcesses(nodes.getLast(), shards.getLast()) * (1 + UNCAPPED_PER_NODE_CORE));
        return Math.max(MIN_DEFAULT_NODE_CPU, Math.floor(share * 100 + 1e-9) / 100);
    }

    /** The sessions of a configuration: {@code sessionsPerNode} per backend node. */
    int sessions(int nodesPerShard, int shardCount) {
        return sessionsPerNode * nodesPerShard * shardCount;
    }

    /** The capped warm-up's slices: a quarter of the window, at least a second. */
    int sliceSeconds() {
        return Math.max(1, seconds / 4);
    }

    /** The longest capped warm-up: three windows; a rate not steady by then is measured anyway, and said so. */
    int maxCappedWarmupSeconds() {
        return 3 * seconds;
    }
}
