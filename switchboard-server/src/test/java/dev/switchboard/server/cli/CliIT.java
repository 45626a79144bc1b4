package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.server.SwitchboardProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a new user runs it (DESIGN.md section 8): standalone as its own process, then produce
 * and consume as separate processes against it.
 */
class CliIT {
    private static final int EVENTS = 10_000;

    @TempDir
    Path workDir;

    private Process standalone;

    @AfterEach
    void stopStandalone() throws Exception {
        if (standalone != null && standalone.isAlive()) {
            standalone.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void produceConsumeResumeAndRestart() throws Exception {
        // Given standalone serving on a free port
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        startStandalone(port);
        List<String> lines =
                IntStream.rangeClosed(1, EVENTS).mapToObj(Integer::toString).toList();

        // When 10,000 lines are produced
        SwitchboardProcess.Result produced =
                SwitchboardProcess.run(workDir, stdin(lines), 120, "produce", "--topic", "demo", "--url", url);

        // Then produce exits 0 and says so on standard error
        assertThat(produced.exitCode()).as(produced.stderr()).isZero();
        assertThat(produced.stderr()).contains("produced 10000 events to demo");

        // And consuming from earliest prints exactly those lines
        SwitchboardProcess.Result consumed = SwitchboardProcess.run(
                workDir,
                new byte[0],
                120,
                "consume",
                "--topic",
                "demo",
                "--url",
                url,
                "--from",
                "earliest",
                "--max",
                "10000");
        assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
        assertThat(consumed.lines()).hasSize(EVENTS).containsExactlyInAnyOrderElementsOf(lines);

        // And two consumers in a row on one cursor file print every line exactly once
        List<String> both = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            SwitchboardProcess.Result half = SwitchboardProcess.run(
                    workDir,
                    new byte[0],
                    120,
                    "consume",
                    "--topic",
                    "demo",
                    "--url",
                    url,
                    "--cursor-file",
                    "demo.cursor",
                    "--max",
                    "5000");
            assertThat(half.exitCode()).as(half.stderr()).isZero();
            assertThat(half.lines()).hasSize(5000);
            both.addAll(half.lines());
        }
        assertThat(both).containsExactlyInAnyOrderElementsOf(lines);
        assertThat(workDir.resolve("demo.cursor")).exists();

        // And a token minted for other topics cannot read this one, with a message that says why
        SwitchboardProcess.Result minted = SwitchboardProcess.run(
                workDir, new byte[0], 60, "token", "--scope", "switchboard:read:orders.*", "--ttl", "10m");
        assertThat(minted.exitCode()).as(minted.stderr()).isZero();
        Files.writeString(workDir.resolve("orders.token"), minted.stdout());
        SwitchboardProcess.Result forbidden = SwitchboardProcess.run(
                workDir, new byte[0], 60, "consume", "--topic", "demo", "--url", url, "--token-file", "orders.token");
        assertThat(forbidden.exitCode()).isEqualTo(1);
        assertThat(forbidden.stderr()).contains("does not grant reading topic 'demo'");

        // And a consumer of a topic nobody wrote is told at once, instead of creating it and waiting forever
        SwitchboardProcess.Result missing = SwitchboardProcess.run(
                workDir,
                new byte[0],
                60,
                "consume",
                "--topic",
                "never-written",
                "--url",
                url,
                "--idle-exit-ms",
                "60000");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("topic 'never-written' does not exist");

        // And an exactly-once producer, run twice on the same input under one writer id, stores each line once:
        // the second run finds every chunk committed and publishes nothing
        List<String> exact =
                IntStream.rangeClosed(1, 300).mapToObj(i -> "eo-" + i).toList();
        for (int run = 0; run < 2; run++) {
            SwitchboardProcess.Result exactly = SwitchboardProcess.run(
                    workDir,
                    stdin(exact),
                    120,
                    "produce",
                    "--topic",
                    "exact",
                    "--url",
                    url,
                    "--exactly-once",
                    "--writer-id",
                    "cli-exact",
                    "--batch",
                    "50");
            assertThat(exactly.exitCode()).as(exactly.stderr()).isZero();
            assertThat(exactly.stderr())
                    .contains(
                            run == 0
                                    ? "produced 300 events to exact"
                                    : "writer cli-exact has committed 6 chunks of 50 lines before: leaving out the"
                                            + " first 300 lines; the input has no more");
        }
        SwitchboardProcess.Result exactRead = SwitchboardProcess.run(
                workDir, new byte[0], 120, "consume", "--topic", "exact", "--url", url, "--idle-exit-ms", "3000");
        assertThat(exactRead.exitCode()).as(exactRead.stderr()).isZero();
        assertThat(exactRead.lines()).containsExactlyInAnyOrderElementsOf(exact);

        // When standalone gets SIGTERM
        standalone.destroy();
        assertThat(standalone.waitFor(60, TimeUnit.SECONDS))
                .as("stopped on SIGTERM (60 s only guards against a hang)")
                .isTrue();

        // Then a restart on the same data dir still serves the events produced before
        startStandalone(port);
        SwitchboardProcess.Result afterRestart = SwitchboardProcess.run(
                workDir, new byte[0], 120, "consume", "--topic", "demo", "--url", url, "--max", "10000");
        assertThat(afterRestart.exitCode()).as(afterRestart.stderr()).isZero();
        assertThat(afterRestart.lines()).containsExactlyInAnyOrderElementsOf(lines);
    }

    @Test
    void produceAndConsumeOverTheBinaryTcpPort() throws Exception {
        // Given standalone serving HTTP and, with tcp-port set, its binary TCP port
        int port = freePort();
        int tcpPort = freePort();
        startStandalone(port, "--set", "tcp-port=" + tcpPort);
        String tcp = "sb://127.0.0.1:" + tcpPort;
        List<String> lines =
                IntStream.rangeClosed(1, 2000).mapToObj(Integer::toString).toList();

        // When lines are produced over sb:// (a dead sb:// URL first: the client fails over)
        SwitchboardProcess.Result produced = SwitchboardProcess.run(
                workDir,
                stdin(lines),
                120,
                "produce",
                "--topic",
                "overtcp",
                "--url",
                "sb://127.0.0.1:" + freePort(),
                "--url",
                tcp);
        assertThat(produced.exitCode()).as(produced.stderr()).isZero();
        assertThat(produced.stderr()).contains("produced 2000 events to overtcp");

        // Then consuming over a mix of TCP and HTTP URLs prints exactly those lines
        SwitchboardProcess.Result consumed = SwitchboardProcess.run(
                workDir,
                new byte[0],
                120,
                "consume",
                "--topic",
                "overtcp",
                "--url",
                tcp,
                "--url",
                "http://127.0.0.1:" + port,
                "--max",
                "2000");
        assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
        assertThat(consumed.stdout().lines().toList()).containsExactlyInAnyOrderElementsOf(lines);

        // And an sb:// URL without a port is bad usage
        SwitchboardProcess.Result noPort =
                SwitchboardProcess.run(workDir, new byte[0], 60, "consume", "--topic", "t", "--url", "sb://127.0.0.1");
        assertThat(noPort.exitCode()).isEqualTo(2);
        assertThat(noPort.stderr()).contains("sb://host:port");
    }

    @Test
    void badUsageExitsTwoAndFailuresExitOne() throws Exception {
        SwitchboardProcess.Result missingTopic = SwitchboardProcess.run(workDir, new byte[0], 60, "produce");
        assertThat(missingTopic.exitCode()).isEqualTo(2);
        assertThat(missingTopic.stderr()).contains("--topic");

        SwitchboardProcess.Result exactlyOnceWithoutWriter =
                SwitchboardProcess.run(workDir, new byte[0], 60, "produce", "--topic", "t", "--exactly-once");
        assertThat(exactlyOnceWithoutWriter.exitCode()).isEqualTo(2);
        assertThat(exactlyOnceWithoutWriter.stderr()).contains("--exactly-once needs --writer-id");

        SwitchboardProcess.Result badFrom =
                SwitchboardProcess.run(workDir, new byte[0], 60, "consume", "--topic", "t", "--from", "yesterday");
        assertThat(badFrom.exitCode()).isEqualTo(2);
        assertThat(badFrom.stderr()).contains("--from");

        SwitchboardProcess.Result badScope =
                SwitchboardProcess.run(workDir, new byte[0], 60, "token", "--scope", "admin");
        assertThat(badScope.exitCode()).isEqualTo(2);
        assertThat(badScope.stderr()).contains("--scope must be switchboard:read:<topic-glob>");

        // nothing listens on this port; a short retry budget, since the default rides out a two-minute outage
        SwitchboardProcess.Result noServer = SwitchboardProcess.run(
                workDir,
                stdin(List.of("x")),
                120,
                "produce",
                "--topic",
                "t",
                "--url",
                "http://127.0.0.1:" + freePort(),
                "--retry-budget",
                "3s");
        assertThat(noServer.exitCode()).isEqualTo(1);
        assertThat(noServer.stderr()).startsWith("switchboard produce: ");
    }

    private void startStandalone(int port, String... extra) throws Exception {
        List<String> args = new ArrayList<>(
                // the default data dir, relative to the work dir: the tools find its dev-token by default
                List.of("standalone", "--data-dir", "switchboard-data", "--port", Integer.toString(port)));
        args.addAll(List.of(extra));
        standalone = SwitchboardProcess.command(workDir, args.toArray(String[]::new))
                .redirectErrorStream(true)
                .start();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(standalone.getInputStream(), StandardCharsets.UTF_8))) {
                reader.lines().forEach(log::add);
            } catch (Exception e) {
                // the process ended
            }
        });
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .failFast("standalone exited: " + log, () -> !standalone.isAlive())
                .until(() -> log.stream().anyMatch(line -> line.contains("ready")));
        HttpResponse<String> ready = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    private static byte[] stdin(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
