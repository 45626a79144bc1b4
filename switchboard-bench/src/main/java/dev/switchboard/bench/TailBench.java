package dev.switchboard.bench;

import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.UUID;

/**
 * A tail-mode run (fan-out): an unreported warm-up with {@code --sessions} subscribers, then the measured phases
 * "tail x1" (one subscriber) and "tail xS" (S = {@code --sessions}), each on a fresh topic with the same writer
 * rate and event count, so the summary compares the two within one run. The subscribers read by streaming delivery
 * when the client's URLs are sb:// (the SDK's default there), else by long polls; the first line says which. A phase in which some subscriber missed
 * events is an error, after its line is printed. Progress goes to {@code err}, one line per measured phase to
 * {@code out}.
 */
public final class TailBench {
    private final BenchSettings settings;
    private final TailLoad load;
    private final PrintWriter out;
    private final PrintWriter err;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    /** How the subscribers read: "stream" (streaming delivery, on sb:// URLs) or "poll" (long polls). */
    private final String delivery;

    /**
     * @param client Switchboard, closed with the bench
     * @param brokerInProcess the Kafka broker runs in this JVM (--standalone), so its Fetch requests are counted
     */
    public TailBench(
            BenchSettings settings,
            SwitchboardClient client,
            boolean brokerInProcess,
            PrintWriter out,
            PrintWriter err) {
        if (settings.mode() != BenchMode.TAIL) {
            throw new IllegalArgumentException(
                    "TailBench runs --mode tail only, got " + settings.mode().label());
        }
        this.settings = settings;
        this.delivery = client.streamsReads() ? "stream" : "poll";
        this.load = new TailLoad(client, settings, brokerInProcess);
        this.out = out;
        this.err = err;
    }

    public TailResult run() throws Exception {
        out.println("tail: subscribers read by "
                + (delivery.equals("stream")
                        ? "streaming delivery (credit window " + SubscriberOptions.DEFAULT_STREAM_WINDOW + ")"
                        : "long polls")
                + " delivery=" + delivery);
        out.flush();
        try {
            if (settings.warmupEvents() > 0) {
                phase("warmup", settings.sessions(), settings.warmupEvents(), "warm-up");
            }
            TailPhaseResult one = phase("run", 1, settings.events(), "measured");
            TailPhaseResult many = phase("run", settings.sessions(), settings.events(), "measured");
            return new TailResult(settings, one, many, delivery);
        } finally {
            load.close();
        }
    }

    private TailPhaseResult phase(String stage, int subscribers, long events, String what) throws Exception {
        String phase = "tail x" + subscribers;
        String topic = "bench-" + runId + "-tail-" + stage + "-x" + subscribers;
        TailPhaseResult result;
        try (Progress progress = new Progress("switchboard " + phase + " (" + what + ")", events * subscribers, err)) {
            result = load.tail(phase, topic, subscribers, events, progress);
        }
        if (what.equals("measured")) {
            out.println(result.describe());
            out.flush();
        }
        if (result.missing() > 0) {
            throw new IllegalStateException(String.format(
                    Locale.ROOT,
                    "%s (%s): %d of %d subscribers did not receive every event, %d events missing in all",
                    phase,
                    what,
                    result.subscribersShort(),
                    subscribers,
                    result.missing()));
        }
        return result;
    }
}
