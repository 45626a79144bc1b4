package dev.switchboard.bench;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * One configuration of {@code bench --scaling}: what ran, the rate it reached, where its sessions were allocated
 * and what CPU everything used in the measured window.
 *
 * @param shards shards
 * @param nodes backend nodes per shard (the count the scaling line compares); the configuration has {@code shards x
 *     nodes} backends
 * @param apis API nodes (as many as backend nodes per shard: each serves every shard)
 * @param mode the workload
 * @param events events done in the window
 * @param seconds how long the events took: from the last completion before the window to the last in it (so the
 *     rate counts exactly the events done in that time, however bursty the commits)
 * @param sessionsPerNode session allocations per backend node of the running workload up to the end of the window
 *     (where its sessions live: competing consumers within a shard, rendezvous hashing of the topics across
 *     shards); the allocations that prepared the topics are not counted
 * @param allocations session allocations in the window per backend node (readers starting over, failovers)
 * @param reallocations allocations in the window that the workload did not ask for: failovers (a session found
 *     lost, draining or out of step); 0 in a valid measurement
 * @param warmup how the capped warm-up before the window went
 * @param switchRequests requests the API nodes sent through the switch in the window (two broker messages each);
 *     empty when a starved API node did not answer its metrics in time
 * @param cpu CPU use in the window
 */
public record ScalingPoint(
        int shards,
        int nodes,
        int apis,
        BenchMode mode,
        long events,
        double seconds,
        Map<String, Long> sessionsPerNode,
        Map<String, Long> allocations,
        long reallocations,
        Warmup warmup,
        OptionalLong switchRequests,
        Cpu cpu) {

    /**
     * How the warm-up before the window went: how long the nodes ran uncapped and whether their JIT had settled by
     * then ({@link Cpu#jitSettled}), how long they ran capped and whether the
     * capped rate had become steady.
     */
    public record Warmup(int uncappedSeconds, boolean jitSettled, int cappedSeconds, boolean steady) {}

    /**
     * The nodes' JIT has settled when their compiler threads use at most this many cores per API and backend process:
     * what HotSpot keeps compiling for minutes after the hot code is done. Measured on a quiet 2-core machine
     * (2026-12-05 12:48-13:10, bench --scaling --mode write, 0.06 cores): after the warm-ups the compiler threads of
     * 2 to 12 JVMs used 0.010 to 0.024 cores each, against 0.06 to 0.07 each in the first minutes of a 4-node run.
     */
    static final double JIT_SETTLED_CORES_PER_PROCESS = 0.025;

    /** A machine busier than this had no CPU to spare for the uncapped load generator, Kafka and broker. */
    static final double SATURATED_BUSY = 0.9;

    /**
     * CPU use in the window, in cores (1.0 = one core busy the whole window).
     *
     * @param backends the backend processes together, without their JIT compiler threads (when those are known)
     * @param apis the API processes together, without their JIT compiler threads (when those are known)
     * @param throttled the mean share of CFS periods in which a node's group ran out of quota (near 1: the nodes
     *     are the bottleneck, as they should be)
     * @param jit the JIT compiler threads of the API and backend processes together, which the bench's clusters
     *     run outside the nodes' quotas (a node stands for a warm machine); large while the nodes still compile
     * @param loadGenerator this process
     * @param kafka the embedded Kafka broker
     * @param broker the local RabbitMQ, when found
     * @param machineBusy the whole machine's busy share (0 to 1), other users included
     * @param loadAverage the one-minute load average at the end of the window
     * @param cores the machine's cores
     */
    public record Cpu(
            double backends,
            double apis,
            Optional<Double> throttled,
            Optional<Double> jit,
            Optional<Double> loadGenerator,
            Optional<Double> kafka,
            Optional<Double> broker,
            Optional<Double> machineBusy,
            Optional<Double> loadAverage,
            int cores) {

        /**
         * True when the compiler threads of the {@code processes} API and backend processes used at most {@link
         * #JIT_SETTLED_CORES_PER_PROCESS} cores each (or cannot be read, off Linux).
         */
        boolean jitSettled(int processes) {
            return jit.map(cores -> cores <= JIT_SETTLED_CORES_PER_PROCESS * processes)
                    .orElse(true);
        }

        /** True when the machine had no idle CPU left: the uncapped parts may have limited the rate. */
        boolean saturated() {
            return machineBusy.map(busy -> busy >= SATURATED_BUSY).orElse(false);
        }
    }

    public double rate() {
        return events / Math.max(1e-9, seconds);
    }

    /** Broker CPU microseconds per switch request (request and answer), when the broker was found. */
    public Optional<Double> brokerMicrosPerRequest() {
        return cpu.broker().flatMap(this::microsPerRequest);
    }

    /** CPU microseconds per switch request of something that used {@code cores} in the window. */
    public Optional<Double> microsPerRequest(double cores) {
        return switchRequests.isEmpty() || switchRequests.getAsLong() == 0
                ? Optional.empty()
                : Optional.of(cores * seconds * 1e6 / switchRequests.getAsLong());
    }

    public int backends() {
        return shards * nodes;
    }

    /** One line: the configuration, its rate, the allocations per node, the CPU figures and a verdict. */
    public String describe() {
        String spread = spread(sessionsPerNode);
        String inWindow = spread(allocations);
        String verdict = cpu.saturated()
                ? "SATURATED: the machine had no idle CPU, so the uncapped load generator, Kafka or broker may have"
                        + " limited this rate (other processes on the machine count too)"
                : "unsaturated: the machine had idle CPU, the capped nodes set the rate";
        if (reallocations > 0) {
            verdict += "; FAILOVERS in the window: sessions were re-allocated, work was repeated";
        }
        if (!warmup.steady()) {
            verdict += "; NOT STEADY: the capped rate still moved at the end of the warm-up";
        }
        if (!warmup.jitSettled()) {
            verdict += "; JIT NOT SETTLED: at the end of the uncapped warm-up (--jit-wait) the nodes' compiler threads"
                    + " still used more than " + JIT_SETTLED_CORES_PER_PROCESS + " cores per process";
        }
        return String.format(
                Locale.ROOT,
                "shards=%d nodes=%d per shard (backends=%d, apis=%d) %s %.0f events/s (%d in %.1f s, after warm-ups of %d s"
                        + " uncapped and %d s capped); allocations %s (in the window %s, re-allocations %d);"
                        + " switch %s requests/s, cpu us/request: backends %s, apis %s, broker %s;"
                        + " cpu cores: backends %.2f, apis %.2f (throttled %s of periods; their JIT %s more, uncapped),"
                        + " load generator %s, kafka %s, broker %s,"
                        + " machine busy %s of %d cores, load average %s; %s",
                shards,
                nodes,
                backends(),
                apis,
                mode.label(),
                rate(),
                events,
                seconds,
                warmup.uncappedSeconds(),
                warmup.cappedSeconds(),
                spread,
                inWindow,
                reallocations,
                switchRequests.isPresent()
                        ? String.format(Locale.ROOT, "%.0f", switchRequests.getAsLong() / Math.max(1e-9, seconds))
                        : "n/a",
                micros(microsPerRequest(cpu.backends())),
                micros(microsPerRequest(cpu.apis())),
                micros(brokerMicrosPerRequest()),
                cpu.backends(),
                cpu.apis(),
                percent(cpu.throttled()),
                cores(cpu.jit()),
                cores(cpu.loadGenerator()),
                cores(cpu.kafka()),
                cores(cpu.broker()),
                percent(cpu.machineBusy()),
                cpu.cores(),
                cpu.loadAverage()
                        .map(load -> String.format(Locale.ROOT, "%.1f", load))
                        .orElse("n/a"),
                verdict);
    }

    private static String spread(Map<String, Long> counts) {
        return counts.isEmpty()
                ? "none"
                : counts.entrySet().stream()
                        .map(entry -> entry.getKey() + "=" + entry.getValue())
                        .collect(Collectors.joining(","));
    }

    private static String micros(Optional<Double> value) {
        return value.map(micros -> String.format(Locale.ROOT, "%.0f", micros)).orElse("n/a");
    }

    private static String cores(Optional<Double> value) {
        return value.map(cores -> String.format(Locale.ROOT, "%.2f", cores)).orElse("n/a");
    }

    private static String percent(Optional<Double> value) {
        return value.map(share -> String.format(Locale.ROOT, "%.0f%%", share * 100))
                .orElse("n/a");
    }
}
