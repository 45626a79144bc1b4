package dev.switchboard.server.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts docs/performance.md cites, run as it says at a small size, so none rots unnoticed: each must finish
 * with exit 0 and print its figures. scripts/perf-figures.sh runs every command the document cites (the bench's and
 * java on FanOut.java and IdleSessions.java with the packaged application on the class path); {@code BenchIT} covers
 * the bench's modes in more detail. No figure is asserted, only that there is one.
 */
class ScriptsSmokeIT {
    private static final Path SCRIPTS = Path.of("..", "scripts");

    private static String classPath() {
        Path jar = Path.of(System.getProperty("switchboard.app", "target/switchboard/switchboard.jar"));
        assertThat(jar).as("the packaged application").exists();
        return jar.toAbsolutePath() + File.pathSeparator
                + jar.toAbsolutePath().getParent().resolve("lib") + "/*";
    }

    /**
     * scripts/perf-figures.sh --small: every measurement docs/performance.md cites (the bench's standalone runs over
     * both transports and payloads with their baselines, commit latency at half the rate, a local cluster through
     * the AMQP switch over HTTP and TCP, tail mode, and the scripts of this directory, FanOut.java,
     * StreamFanOut.java and IdleSessions.java) at a tiny size, ending with the markdown table. It needs RabbitMQ on 127.0.0.1:5672, as
     * LocalClusterIT does.
     */
    @Test
    void perfFiguresRunsEveryMeasurementAndPrintsItsTable(@TempDir Path out) throws Exception {
        Path app = Path.of(classPath().split(File.pathSeparator)[0]).getParent();
        ProcessBuilder builder = new ProcessBuilder(
                        "bash",
                        SCRIPTS.resolve("perf-figures.sh").toString(),
                        "--small",
                        "--app",
                        app.toString(),
                        "--out",
                        out.toString())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        CompletableFuture<byte[]> output = SwitchboardProcess.drain(process.getInputStream());
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("perf-figures.sh --small did not finish in 10 minutes");
        }
        String text = new String(output.get(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(text).isZero();
        assertThat(text).contains("| figure | command | Switchboard | raw Kafka, same run | ratio |");
        List<String> rows = text.lines().filter(line -> line.startsWith("| ")).toList();
        for (String name : List.of(
                "write-http-random",
                "read-http-random",
                "write-http-json",
                "read-http-json",
                "write-tcp-random",
                "read-tcp-random",
                "write-tcp-json",
                "read-tcp-json",
                "commit-latency",
                "cluster-write-http",
                "cluster-read-http",
                "cluster-write-tcp",
                "cluster-read-tcp",
                "tail")) {
            assertThat(rows)
                    .as(text)
                    .anySatisfy(row -> assertThat(row).startsWith("| " + name + " | `./switchboard bench "));
        }
        // same-run ratios from the bench's ratio= lines, and the scripts' figures
        assertThat(rows)
                .anySatisfy(row ->
                        assertThat(row).startsWith("| write-tcp-json ").containsPattern("\\*\\*\\d+\\.\\d+\\*\\*"));
        assertThat(rows)
                .anySatisfy(row -> assertThat(row).startsWith("| idle ").contains("20 idle read sessions held"));
        assertThat(rows)
                .anySatisfy(row -> assertThat(row)
                        .startsWith("| fanout ")
                        .contains("(sharing)")
                        .contains("(no sharing)"));
        assertThat(rows)
                .anySatisfy(row -> assertThat(row)
                        .startsWith("| streamfanout ")
                        .contains("(stream)")
                        .contains("(poll)"));
        assertThat(rows).noneSatisfy(row -> assertThat(row).contains("FAILED"));
        assertThat(Files.readString(out.resolve("fanout.out"))).doesNotContain("Exception");
    }

    /** scripts/profile.sh: a JFR recording of a standalone bench run, and the top frames per tier from it. */
    @Test
    void profileRecordsAndPrintsTheTopFramesPerTier(@TempDir Path out) throws Exception {
        Path app = Path.of(classPath().split(File.pathSeparator)[0]).getParent();
        ProcessBuilder builder = new ProcessBuilder(
                        "bash",
                        SCRIPTS.resolve("profile.sh").toString(),
                        "--app",
                        app.toString(),
                        "--out",
                        out.toString(),
                        "--modes",
                        "write",
                        "--events",
                        "2000")
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        CompletableFuture<byte[]> output = SwitchboardProcess.drain(process.getInputStream());
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("profile.sh did not finish in 5 minutes");
        }
        String text = new String(output.get(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(text).isZero();
        assertThat(text).containsPattern("execution samples").contains("ratio=");
        assertThat(text).containsPattern("(?m)^SDK: \\d+\\.\\d% of samples").containsPattern("(?m)^backend: ");
        assertThat(out.resolve("write-http-random.jfr")).exists();
    }
}
