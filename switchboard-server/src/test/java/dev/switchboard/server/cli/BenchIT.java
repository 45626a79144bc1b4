package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * A short smoke run of {@code switchboard bench --standalone --baseline} in every mode, and of tail mode (which
 * has no baseline): checks the shape of the output and that the numbers are sane (positive, counts add up). No
 * timing assertions.
 */
class BenchIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern SUMMARY = Pattern.compile(
            "ratio=(\\d+\\.\\d{2}) switchboard=(\\d+) kafka=(\\d+) mode=(write|read|roundtrip) size=(\\d+)");
    private static final Pattern TAIL_SUMMARY =
            Pattern.compile("ratio=(\\d+\\.\\d{2}) sessions=(\\d+) cpu1=(\\d+) cpuS=(\\d+) mode=tail size=(\\d+)");
    private static final Pattern TAIL_PHASE = Pattern.compile("switchboard +tail x(\\d+) +(\\d+) events written,"
            + " (\\d+) delivered to (\\d+) subscribers \\((\\d+) missing\\) in [\\d.]+ s: (\\d+) events/s delivered;"
            + " latency ms p50=[\\d.]+ p99=[\\d.]+ p99\\.9=[\\d.]+ max=[\\d.]+;"
            + " cpu (\\d+) ms/s \\(\\+ JIT compiler (?:\\d+|n/a)\\), [\\d.]+ ms/1000 events;"
            + " broker fetches (\\d+) \\([\\d.]+/s\\)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"write,http,random", "read,http,random", "roundtrip,http,random", "write,tcp,json", "read,tcp,json"})
    void benchesSwitchboardAgainstRawKafka(String mode, String transport, String payload) throws Exception {
        Path json = dir.resolve("bench.json");
        Run run = bench(
                "--standalone",
                "--transport",
                transport,
                "--payload",
                payload,
                "--baseline",
                "--mode",
                mode,
                "--events",
                "1500",
                "--size",
                "256",
                "--sessions",
                "2",
                "--batch",
                "100",
                "--warmup",
                "300",
                "--json",
                json.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        List<String> lines = run.out.lines().toList();
        Matcher summary = SUMMARY.matcher(lines.getLast());
        assertThat(summary.matches()).as(run.out).isTrue();
        assertThat(summary.group(4)).isEqualTo(mode);
        assertThat(summary.group(5)).isEqualTo("256");
        assertThat(Double.parseDouble(summary.group(1))).isPositive();
        assertThat(Long.parseLong(summary.group(2))).isPositive();
        assertThat(Long.parseLong(summary.group(3))).isPositive();

        long expectedEvents = mode.equals("read") ? 3000 : 1500; // read: every session reads every event
        assertThat(lines)
                .anyMatch(line -> line.matches("switchboard +" + mode + " +" + expectedEvents + " events in .*p99=.*"))
                .anyMatch(line -> line.matches("kafka +" + mode + " +" + expectedEvents + " events in .*p99=.*"));

        JsonNode written = JSON.readTree(json.toFile());
        assertThat(written.get("mode").asText()).isEqualTo(mode);
        assertThat(written.get("payload").asText()).isEqualTo(payload);
        assertThat(written.get("phases")).hasSize(2);
        assertThat(written.get("phases").get(0).get("system").asText()).isEqualTo("switchboard");
        assertThat(written.get("phases").get(1).get("system").asText()).isEqualTo("kafka");
        for (JsonNode phase : written.get("phases")) {
            assertThat(phase.get("events").asLong()).isEqualTo(expectedEvents);
            assertThat(phase.get("latencyMs").get("p99.9").asDouble()).isPositive();
        }
        assertThat(written.get("ratio").asDouble()).isPositive();
        // the standalone's API calls per 1,000 events: write mode writes, read mode reads (acks ride on them)
        JsonNode calls = written.get("phases").get(0).get("requestsPerThousandEvents");
        String main = switch (mode) {
            case "read" -> "read";
            default -> "write";
        };
        assertThat(calls.get(main).asDouble()).as(calls.toString()).isPositive();
        assertThat(written.get("roundTrips").asText()).isEqualTo("fewer");
    }

    @Test
    void tailModeComparesOneTailingSubscriberWithSeveral() throws Exception {
        Path json = dir.resolve("tail.json");
        Run run = bench(
                "--standalone",
                "--tail-cache-bytes",
                "0",
                "--mode",
                "tail",
                "--sessions",
                "3",
                "--rate",
                "40",
                "--duration",
                "3",
                "--size",
                "256",
                "--batch",
                "50",
                "--warmup",
                "20",
                "--json",
                json.toString());

        assertThat(run.exitCode).as(run.err).isZero();
        List<String> lines = run.out.lines().toList();
        Matcher summary = TAIL_SUMMARY.matcher(lines.getLast());
        assertThat(summary.matches()).as(run.out).isTrue();
        assertThat(Double.parseDouble(summary.group(1))).isPositive();
        assertThat(summary.group(2)).isEqualTo("3");
        assertThat(Long.parseLong(summary.group(3))).isPositive();
        assertThat(Long.parseLong(summary.group(4))).isPositive();
        assertThat(summary.group(5)).isEqualTo("256");

        List<Matcher> phases =
                lines.stream().map(TAIL_PHASE::matcher).filter(Matcher::matches).toList();
        assertThat(phases).as(run.out).hasSize(2);
        assertTailPhase(phases.get(0), 1);
        assertTailPhase(phases.get(1), 3);

        JsonNode written = JSON.readTree(json.toFile());
        assertThat(written.get("mode").asText()).isEqualTo("tail");
        assertThat(written.get("delivery").asText()).isEqualTo("poll"); // over HTTP
        assertThat(run.out).contains("tail: subscribers read by long polls");
        assertThat(written.get("phases")).hasSize(2);
        JsonNode one = written.get("phases").get(0);
        JsonNode three = written.get("phases").get(1);
        assertThat(one.get("phase").asText()).isEqualTo("tail x1");
        assertThat(three.get("phase").asText()).isEqualTo("tail x3");
        assertThat(three.get("events").asLong()).isEqualTo(360);
        assertThat(three.get("missing").asLong()).isZero();
        assertThat(three.get("brokerFetches").isNull()).isFalse();
    }

    /** 40 events/s for 3 s: every subscriber got all 120, and the in-process broker served some fetches. */
    private static void assertTailPhase(Matcher phase, int subscribers) {
        assertThat(Integer.parseInt(phase.group(1))).isEqualTo(subscribers);
        assertThat(Long.parseLong(phase.group(2))).isEqualTo(120);
        assertThat(Long.parseLong(phase.group(3))).isEqualTo(120L * subscribers);
        assertThat(Integer.parseInt(phase.group(4))).isEqualTo(subscribers);
        assertThat(Long.parseLong(phase.group(5))).isZero();
        assertThat(Long.parseLong(phase.group(6))).isPositive();
        assertThat(Long.parseLong(phase.group(7))).isPositive();
        assertThat(Long.parseLong(phase.group(8))).isPositive();
    }

    @Test
    void withoutBaselineTheSummarySaysSo() {
        Run run = bench("--standalone", "--events", "200", "--size", "64", "--batch", "50", "--warmup", "0");

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out.lines().toList().getLast())
                .matches("ratio=n/a switchboard=\\d+ kafka=n/a mode=write size=64");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(bench("--standalone", "--mode", "sideways").exitCode).isEqualTo(2);
        assertThat(bench("--standalone", "--size", "4").exitCode).isEqualTo(2);
        assertThat(bench("--standalone", "--url", "http://127.0.0.1:1").exitCode)
                .isEqualTo(2);
        assertThat(bench("--standalone", "--mode", "tail", "--baseline").exitCode)
                .isEqualTo(2);
        assertThat(bench("--standalone", "--mode", "tail", "--events", "100").exitCode)
                .isEqualTo(2);
        assertThat(bench("--standalone", "--mode", "write", "--duration", "5").exitCode)
                .isEqualTo(2);
        assertThat(bench("--url", "http://127.0.0.1:1", "--tail-cache-bytes", "0").exitCode)
                .isEqualTo(2);
        assertThat(bench("--standalone", "--tail-cache-bytes=-1").exitCode).isEqualTo(2);
        assertThat(bench("--standalone", "--transport", "udp").exitCode).isEqualTo(2);
        assertThat(bench("--standalone", "--payload", "xml").exitCode).isEqualTo(2);
        assertThat(bench("--url", "sb://127.0.0.1:1", "--transport", "tcp").exitCode)
                .isEqualTo(2);
    }

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        int exitCode = commandLine.execute(all);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
