package dev.switchboard.server.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The scripts docs/performance.md cites, run as it says (java on the source file, the packaged application on
 * the class path) at a small size, so none rots unnoticed: each must finish with exit 0 and print its figures.
 * The bench commands it cites are covered by {@code BenchIT}. No figure is asserted, only that there is one.
 */
class ScriptsSmokeIT {
    private static final Path SCRIPTS = Path.of("..", "scripts");

    private static String classPath() {
        Path jar = Path.of(System.getProperty("switchboard.app", "target/switchboard/switchboard.jar"));
        assertThat(jar).as("the packaged application").exists();
        return jar.toAbsolutePath() + File.pathSeparator
                + jar.toAbsolutePath().getParent().resolve("lib") + "/*";
    }

    private record Run(int exitCode, String out) {}

    private static Run script(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                classPath(),
                SCRIPTS.resolve(name).toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<byte[]> out = SwitchboardProcess.drain(process.getInputStream());
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish in 5 minutes");
        }
        return new Run(process.exitValue(), new String(out.get(), StandardCharsets.UTF_8));
    }

    @Test
    void idleSessionsHoldsItsSessionsWithSecurityOn() throws Exception {
        assertThat(Files.exists(SCRIPTS.resolve("IdleSessions.java"))).isTrue();

        Run run = script("IdleSessions.java", "40", "20");

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("held 40 idle read sessions");
        Matcher last = Pattern.compile("sessions=40 heap-after-gc=(\\d+) MiB threads=(\\d+) open-files=(\\d+)")
                .matcher(run.out());
        assertThat(last.find()).as(run.out()).isTrue();
        assertThat(Long.parseLong(last.group(1))).isPositive();
    }

    @Test
    void fanOutComparesSharingOnAndOff() throws Exception {
        Run run = script("FanOut.java", "3", "50", "2", "256");

        assertThat(run.exitCode()).as(run.out()).isZero();
        Matcher ratios = Pattern.compile(
                        "tail-cache-bytes=(\\d+): cpu\\(3 sessions\\) / cpu\\(1 session\\) = (\\d+\\.\\d\\d)")
                .matcher(run.out());
        List<String> caches = new ArrayList<>();
        while (ratios.find()) {
            caches.add(ratios.group(1));
            assertThat(Double.parseDouble(ratios.group(2))).isPositive();
        }
        assertThat(caches).as(run.out()).containsExactly("8388608", "0");
        assertThat(run.out()).doesNotContain("Exception");
    }
}
