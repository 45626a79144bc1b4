import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU goes, per tier, from a JFR recording's execution samples (the JDK's own jdk.jfr API, nothing
 * else): {@code java scripts/JfrTop.java RECORDING.jfr [TOP] [FROM-EPOCH-MS] [TO-EPOCH-MS]}.
 *
 * <p>A standalone runs the SDK (the bench's load), the API, the in-process switch, the backend and the Kafka
 * broker in one JVM, so every sample is given to the tier whose code it runs: the Switchboard frame nearest the
 * top of its stack decides (dev.switchboard.client and .bench: SDK, .api: API, .switching: switch, .backend:
 * backend); a stack without one goes by its libraries (the broker's packages: broker; Kafka clients: backend,
 * whose producer and consumers they are when the bench runs without --baseline; Jetty: API; the JDK's HTTP client:
 * SDK); the rest is "other". For each tier it prints its share of all samples, the methods on top of its stacks
 * (where the CPU is spent, "self") and the Switchboard methods nearest the top (which of our code paid for it).
 * Samples outside [FROM, TO] (epoch milliseconds, optional) are left out: a bench phase's window.
 */
public final class JfrTop {
    private static final List<String> TIERS = List.of("SDK", "API", "switch", "backend", "broker", "other");

    private JfrTop() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: java scripts/JfrTop.java RECORDING.jfr [TOP] [FROM-EPOCH-MS] [TO-EPOCH-MS]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        long from = args.length > 2 ? Long.parseLong(args[2]) : Long.MIN_VALUE;
        long to = args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE;

        Map<String, Integer> samplesByTier = new HashMap<>();
        Map<String, Map<String, Integer>> selfByTier = new HashMap<>();
        Map<String, Map<String, Integer>> oursByTier = new HashMap<>();
        int total = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                Instant at = event.getStartTime();
                if (at.toEpochMilli() < from || at.toEpochMilli() > to) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                List<RecordedFrame> frames = stack.getFrames();
                String tier = tier(frames);
                total++;
                samplesByTier.merge(tier, 1, Integer::sum);
                selfByTier.computeIfAbsent(tier, t -> new HashMap<>()).merge(name(frames.get(0)), 1, Integer::sum);
                String ours = "(no Switchboard frame)";
                for (RecordedFrame frame : frames) {
                    if (className(frame).startsWith("dev.switchboard.")) {
                        ours = name(frame);
                        break;
                    }
                }
                oursByTier.computeIfAbsent(tier, t -> new HashMap<>()).merge(ours, 1, Integer::sum);
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d execution samples%n", file.getFileName(), total);
        if (total == 0) {
            return;
        }
        for (String tier : TIERS) {
            int samples = samplesByTier.getOrDefault(tier, 0);
            if (samples == 0) {
                continue;
            }
            System.out.printf(Locale.ROOT, "%n%s: %.1f%% of samples (%d)%n", tier, 100.0 * samples / total, samples);
            System.out.println("  top frames (self, % of all samples):");
            print(selfByTier.get(tier), total, top);
            System.out.println("  nearest Switchboard frame (% of all samples):");
            print(oursByTier.get(tier), total, top);
        }
    }

    private static void print(Map<String, Integer> counts, int total, int top) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> entry : sorted.subList(0, Math.min(top, sorted.size()))) {
            System.out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * entry.getValue() / total, entry.getKey());
        }
    }

    private static final Map<String, String> OURS = new LinkedHashMap<>();

    static {
        OURS.put("dev.switchboard.client.", "SDK");
        OURS.put("dev.switchboard.bench.", "SDK");
        OURS.put("dev.switchboard.api.", "API");
        OURS.put("dev.switchboard.switching.", "switch");
        OURS.put("dev.switchboard.backend.", "backend");
    }

    static String tier(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = className(frame);
            for (Map.Entry<String, String> prefix : OURS.entrySet()) {
                if (type.startsWith(prefix.getKey())) {
                    return prefix.getValue();
                }
            }
        }
        boolean kafkaClients = false;
        boolean jetty = false;
        boolean httpClient = false;
        for (RecordedFrame frame : frames) {
            String type = className(frame);
            if (type.startsWith("kafka.")
                    || type.startsWith("org.apache.kafka.server.")
                    || type.startsWith("org.apache.kafka.storage.")
                    || type.startsWith("org.apache.kafka.raft.")
                    || type.startsWith("org.apache.kafka.controller.")
                    || type.startsWith("org.apache.kafka.metadata.")
                    || type.startsWith("org.apache.kafka.image.")
                    || type.startsWith("org.apache.kafka.queue.")
                    || type.startsWith("org.apache.kafka.coordinator.")
                    || type.startsWith("org.apache.kafka.network.")) {
                return "broker";
            }
            kafkaClients |= type.startsWith("org.apache.kafka.clients.");
            jetty |= type.startsWith("org.eclipse.jetty.");
            httpClient |= type.startsWith("jdk.internal.net.http.");
        }
        if (kafkaClients) {
            return "backend";
        }
        if (jetty) {
            return "API";
        }
        if (httpClient) {
            return "SDK";
        }
        return "other";
    }

    private static String className(RecordedFrame frame) {
        return frame.getMethod() == null ? "" : frame.getMethod().getType().getName();
    }

    private static String name(RecordedFrame frame) {
        if (frame.getMethod() == null) {
            return "(unknown)";
        }
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
