package dev.switchboard.backend;

import static dev.switchboard.backend.Calls.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's hot paths never pin a virtual thread's carrier while it blocks: writes, commits (Kafka sends), reads
 * and data-key rotations (a key every 3 records, so sealing keeps creating keys and sending them to the keys
 * topic), many sessions at once, on the virtual threads the node runs them on. Checked with JFR's
 * {@code jdk.VirtualThreadPinned} event on the JDK the build runs (on JDK 21 the same test also catches a
 * {@code synchronized} block held across I/O).
 */
class NoPinningIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private static final byte[] SECRET = "no-pinning-it-cluster-secret".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void writesCommitsReadsAndKeyRotationsNeverPinACarrier() throws Exception {
        try (BackendNode node = BackendNode.start(
                BackendConfig.builder("pinning", KAFKA.bootstrapServers())
                        .encryption(EncryptionConfig.local(dir.resolve("kek.p12"), "keystore-password")
                                .withKeyRotation(Duration.ofHours(1), 3))
                        .build(),
                SECRET,
                Clock.systemUTC())) {
            Calls calls = new Calls(node);
            for (int t = 0; t < 4; t++) {
                KAFKA.createTopic("pinning-" + t, 1);
            }
            round(calls, "warm-up"); // classes loaded and initialised before the recording

            Queue<RecordedEvent> pinned = new ConcurrentLinkedQueue<>();
            try (RecordingStream recording = new RecordingStream()) {
                recording
                        .enable("jdk.VirtualThreadPinned")
                        .withThreshold(Duration.ZERO)
                        .withStackTrace();
                recording.onEvent("jdk.VirtualThreadPinned", pinned::add);
                recording.startAsync();
                round(calls, "recorded");
                recording.stop();
            }

            List<RecordedEvent> ours =
                    pinned.stream().filter(NoPinningIT::inOurCode).toList();
            assertThat(ours)
                    .as("pinned virtual threads in Switchboard code:%n%s", describe(ours))
                    .isEmpty();
        }
    }

    /** Four writers (one per topic) and four readers at once, each on a virtual thread. */
    private static void round(Calls calls, String name) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String topic = "pinning-" + t;
                work.add(threads.submit(() -> {
                    AllocateResponse writer = calls.writer(topic, name + "-" + topic);
                    String fresh = writer.getSessionId();
                    long seq = writer.getLastCommittedSeq();
                    for (int chunk = 0; chunk < 10; chunk++) {
                        List<Event> events = new ArrayList<>();
                        for (int i = 0; i < 5; i++) {
                            events.add(event(name + "-" + chunk + "-" + i));
                        }
                        calls.write(fresh, ++seq, events);
                        calls.commit(fresh, seq);
                    }
                    calls.dispose(fresh);
                    return null;
                }));
                work.add(threads.submit(() -> {
                    String reader = calls.reader(topic).getSessionId();
                    calls.read(reader, 1, 10, 2000);
                    calls.dispose(reader);
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get(2, TimeUnit.MINUTES);
            }
        }
    }

    /**
     * A pin in a Switchboard frame, other than a wait for another thread to initialise a class: that one is the
     * JVM's (class initialisation cannot unmount; the JFR recording itself initialises {@code ThrowableTracer} when
     * it starts, which pinned a Kafka exception's constructor in CI), lasts microseconds and no code of ours can
     * avoid it. JDK 24+ names the reason; on JDK 21 every pin counts.
     */
    private static boolean inOurCode(RecordedEvent event) {
        // getString, not String.valueOf(getValue(..)): the generic getValue picks valueOf(char[]) and throws.
        String reason = event.hasField("pinnedReason") ? event.getString("pinnedReason") : null;
        boolean classInitialisation = reason != null && reason.startsWith("Waited for initialization of");
        return !classInitialisation
                && event.getStackTrace() != null
                && event.getStackTrace().getFrames().stream()
                        .anyMatch(frame -> frame.getMethod().getType().getName().startsWith("dev.switchboard"));
    }

    private static String describe(List<RecordedEvent> events) {
        return events.stream()
                .map(event -> event.getStackTrace().getFrames().stream()
                        .limit(25)
                        .map(NoPinningIT::frame)
                        .collect(Collectors.joining("\n    ", "  pinned for " + event.getDuration() + ":\n    ", "")))
                .collect(Collectors.joining("\n"));
    }

    private static String frame(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + ":" + frame.getLineNumber();
    }
}
