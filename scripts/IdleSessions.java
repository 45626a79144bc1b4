// Measures how many idle read sessions one backend node holds: starts an in-process standalone (in this JVM,
// so run it with the heap to test, e.g. -Xmx1g), opens read sessions that each read once and then stay idle, and
// reports heap after GC, threads and open files every STEP sessions until TARGET or the first failure, and once
// more after 15 s, when every session has been idle past the backend's park time. The heap includes the SDK's
// side of every session too (same JVM). Security is on, as in any standalone: the client uses the standalone's
// development token (allocate) and request MACs (every later call); one writer creates the topic first (readers
// never create topics), and the standalone allows TARGET sessions in all and per principal (limits.max-sessions,
// limits.max-sessions-per-principal; the defaults, 4096 and 512, would answer BUSY before 10,000). Exits 1 when
// it could not hold TARGET sessions. CI runs it small (ScriptsSmokeIT).
//
//   ./mvnw -B -q -pl switchboard-server -am package -DskipTests
//   cp="switchboard-server/target/switchboard/switchboard.jar:switchboard-server/target/switchboard/lib/*"
//   java -Xmx1g --sun-misc-unsafe-memory-access=allow -cp "$cp" scripts/IdleSessions.java 10000 500
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.standalone.Standalone;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public class IdleSessions {
    public static void main(String[] args) throws Exception {
        int target = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int step = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path dir = Files.createTempDirectory("switchboard-idle");
        List<Subscriber> sessions = new ArrayList<>();
        boolean held = false;
        NodeConfig config = NodeConfig.builder()
                .value(ConfigKeys.DATA_DIR, dir, "IdleSessions")
                .value(ConfigKeys.PORT, 0, "IdleSessions")
                .value(ConfigKeys.LIMITS_MAX_SESSIONS, target + 16, "IdleSessions")
                .value(ConfigKeys.LIMITS_MAX_SESSIONS_PER_PRINCIPAL, target + 16, "IdleSessions")
                .build();
        try (Standalone standalone = Standalone.start(config);
                SwitchboardClient client = SwitchboardClient.builder()
                        .url(standalone.uri())
                        .token(Files.readString(dir.resolve("dev-token")).trim())
                        .build()) {
            try (Publisher writer = client.publisher(PublisherOptions.of("idle-sessions"))) {
                writer.publish(List.of(Event.of("created by a writer: readers never create topics")));
            }
            report(0);
            long baseline = heapAfterGcMb();
            try {
                for (int i = 1; i <= target; i++) {
                    Subscriber subscriber = client.subscriber(SubscriberOptions.builder()
                            .topic("idle-sessions")
                            .start(StartPosition.latest())
                            .build());
                    subscriber.poll(1, Duration.ZERO); // one read: the session's consumer connects and fetches
                    sessions.add(subscriber);
                    if (i % step == 0) {
                        long heap = report(i);
                        System.out.printf("  %.1f KiB heap per idle session%n", (heap - baseline) * 1024.0 / i);
                    }
                }
                System.out.println("held " + target + " idle read sessions");
                Thread.sleep(15_000); // past the backend's park time: every session idle
                long heap = report(target);
                System.out.printf("  %.1f KiB heap per idle session%n", (heap - baseline) * 1024.0 / target);
                held = true;
            } catch (Throwable failure) {
                System.out.println("failed after " + sessions.size() + " sessions: " + failure);
                report(sessions.size());
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        if (!held) {
            System.exit(1);
        }
    }

    private static long report(int sessions) throws Exception {
        long heap = heapAfterGcMb();
        long files;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            files = fds.count();
        }
        System.out.printf(
                "sessions=%d heap-after-gc=%d MiB threads=%d open-files=%d%n",
                sessions, heap, ManagementFactory.getThreadMXBean().getThreadCount(), files);
        return heap;
    }

    private static long heapAfterGcMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
