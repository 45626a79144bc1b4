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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's curl recipe ("From other languages"), taken from the README itself so the two cannot drift, run with
 * bash, curl, openssl and jq against a real standalone process: it writes, commits, reads and acknowledges over the
 * JSON mapping with the bearer token and request MACs, and the Java CLI then finds the same events.
 */
class CurlRecipeIT {
    private static final Path README = Path.of("../README.md");
    private static final String START = "<!-- curl-recipe:start -->";
    private static final String END = "<!-- curl-recipe:end -->";

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
    void theReadmesCurlRecipeWritesCommitsReadsAndAcks() throws Exception {
        // Given standalone on a free port, its dev-token where the recipe looks by default, and the recipe
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        startStandalone(port);
        String recipe = recipe();
        assertThat(recipe).contains("/v1/json/", "sb-mac", "openssl");

        // When running the recipe's lines as they are in the README
        ProcessBuilder bash =
                new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + recipe).directory(workDir.toFile());
        bash.environment().put("SB", url);
        Process process = bash.start();
        CompletableFuture<String> out = drain(process, false);
        CompletableFuture<String> err = drain(process, true);
        process.getOutputStream().close();
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("the recipe finishes")
                .isTrue();

        // Then it succeeded and printed what the README says: the answers and the two events read back
        String stdout = out.get();
        assertThat(process.exitValue())
                .as("stderr: " + err.get() + "\nstdout: " + stdout)
                .isZero();
        List<String> lines = List.of(stdout.split("\n"));
        assertThat(lines)
                .contains("{\"seq\":1,\"stagedSeq\":1}", "{}", "hello", "world")
                .anyMatch(line -> line.startsWith("{\"committedSeq\":1"));
        assertThat(Files.readString(workDir.resolve("curl-demo.cursor")).trim()).isNotEmpty();

        // And the Java CLI reads the same events from the topic
        SwitchboardProcess.Result consumed = SwitchboardProcess.run(
                workDir, new byte[0], 120, "consume", "--topic", "curl-demo", "--url", url, "--max", "2");
        assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
        assertThat(consumed.lines()).containsExactly("hello", "world");
    }

    /** The shell lines between the recipe's markers in the README, without the code fence. */
    private static String recipe() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README has the curl recipe markers").isPositive();
        List<String> lines = new ArrayList<>(
                List.of(readme.substring(start + START.length(), end).strip().split("\n")));
        assertThat(lines.getFirst()).startsWith("```");
        assertThat(lines.getLast()).isEqualTo("```");
        return String.join("\n", lines.subList(1, lines.size() - 1)) + "\n";
    }

    private static CompletableFuture<String> drain(Process process, boolean stderr) {
        return CompletableFuture.supplyAsync(() -> {
            try (var in = stderr ? process.getErrorStream() : process.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return "";
            }
        });
    }

    private void startStandalone(int port) throws Exception {
        standalone = SwitchboardProcess.command(
                        workDir, "standalone", "--data-dir", "switchboard-data", "--port", Integer.toString(port))
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

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
