package dev.switchboard.bench;

import dev.switchboard.client.SwitchboardClient;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One bench run: an unreported warm-up on each side, then the measured phase on each side (Switchboard, then
 * raw Kafka for the baseline), each on fresh topics. In read mode the events are produced first, untimed (with
 * the raw producer when the broker is known, else through Switchboard), and both sides read the same topic.
 * Progress goes to {@code err}, one line per measured phase to {@code out}.
 */
public final class Bench {
    private final BenchSettings settings;
    private final List<Load> loads = new ArrayList<>();
    private final PrintWriter out;
    private final PrintWriter err;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Load prefiller;
    private final ProcessCpu processes;
    private ApiRequests apiRequests = ApiRequests.NONE;

    /**
     * @param client Switchboard, closed with the bench
     * @param kafkaBootstrap the broker behind it, for the baseline
     */
    public Bench(
            BenchSettings settings,
            SwitchboardClient client,
            Optional<String> kafkaBootstrap,
            PrintWriter out,
            PrintWriter err) {
        this(settings, client, kafkaBootstrap, ProcessCpu.self("bench"), out, err);
    }

    /** @param processes the processes whose CPU each phase reports (the bench itself, a cluster's nodes) */
    public Bench(
            BenchSettings settings,
            SwitchboardClient client,
            Optional<String> kafkaBootstrap,
            ProcessCpu processes,
            PrintWriter out,
            PrintWriter err) {
        this.processes = processes;
        if (settings.mode() == BenchMode.TAIL) {
            throw new IllegalArgumentException("tail mode is run by TailBench");
        }
        if (settings.baseline() && kafkaBootstrap.isEmpty()) {
            throw new IllegalArgumentException("--baseline needs the Kafka broker: use --standalone or --kafka");
        }
        this.settings = settings;
        this.out = out;
        this.err = err;
        loads.add(new SwitchboardLoad(client, settings));
        if (settings.baseline()) {
            loads.add(new KafkaLoad(kafkaBootstrap.orElseThrow(), settings));
        }
        // Read stages are prefilled through Switchboard: reads fail closed, so records a plain Kafka producer
        // wrote (no sealed envelope) would be skipped, and Switchboard's reads would measure nothing.
        this.prefiller = loads.get(0);
    }

    /** Counts the calls the API tier answers during Switchboard's phases (reported per 1,000 events). */
    public Bench countingRequests(ApiRequests requests) {
        this.apiRequests = requests;
        return this;
    }

    public BenchResult run() throws Exception {
        try {
            if (settings.warmupEvents() > 0) {
                String topic = prepare("warmup", settings.warmupEvents());
                for (Load load : loads) {
                    measure(load, topic + "-" + load.system(), topic, settings.warmupEvents(), "warm-up");
                }
            }
            String topic = prepare("run", settings.events());
            List<PhaseResult> phases = new ArrayList<>();
            for (Load load : loads) {
                PhaseResult result = measure(load, topic + "-" + load.system(), topic, settings.events(), "measured");
                out.println(BenchResult.describe(result));
                out.flush();
                phases.add(result);
            }
            return new BenchResult(settings, phases);
        } finally {
            loads.forEach(Load::close);
        }
    }

    /** The topic name for this stage; in read mode, that topic filled with {@code events} events (untimed). */
    private String prepare(String stage, long events) throws Exception {
        String topic = "bench-" + runId + "-" + settings.mode().label() + "-" + stage;
        if (settings.mode() == BenchMode.READ) {
            prefiller.prepareTopic(topic);
            try (Progress progress = new Progress("prefill " + stage, events, err)) {
                prefiller.write(topic, events, progress);
            }
        }
        return topic;
    }

    /** Writes and roundtrips use a fresh topic per side; reads share the prefilled one. */
    private PhaseResult measure(Load load, String ownTopic, String sharedTopic, long events, String what)
            throws Exception {
        long total = settings.mode() == BenchMode.READ ? events * settings.sessions() : events;
        String label = load.system() + " " + settings.mode().label() + " (" + what + ")";
        try (Progress progress = new Progress(label, total, err)) {
            long cpuBefore = processCpuNanos();
            Map<String, Long> processesBefore = processes.snapshot();
            boolean counted = load instanceof SwitchboardLoad;
            Map<String, Long> requestsBefore = counted ? apiRequests.snapshot() : Map.of();
            PhaseResult result = switch (settings.mode()) {
                case WRITE -> {
                    load.prepareTopic(ownTopic);
                    yield load.write(ownTopic, events, progress);
                }
                case READ -> load.read(sharedTopic, events, progress);
                case ROUNDTRIP -> {
                    load.prepareTopic(ownTopic);
                    yield load.roundtrip(ownTopic, events, progress);
                }
                case TAIL -> throw new IllegalStateException("tail mode is run by TailBench");
            };
            long cpu = processCpuNanos() - cpuBefore;
            Map<String, Long> processesCpu = ProcessCpu.between(processesBefore, processes.snapshot());
            Map<String, Long> requests =
                    counted ? ApiRequests.between(requestsBefore, apiRequests.snapshot()) : Map.of();
            return result.withCpuNanos(cpu).withProcessCpuNanos(processesCpu).withRequests(requests);
        }
    }

    /** CPU time of the whole process so far (with --standalone: client, API, backend and broker). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
