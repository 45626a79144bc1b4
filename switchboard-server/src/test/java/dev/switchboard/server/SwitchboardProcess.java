package dev.switchboard.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged switchboard application (target/switchboard/switchboard.jar, built by `package`) as a
 * separate OS process, as a user would through ./switchboard.
 */
public final class SwitchboardProcess {
    private SwitchboardProcess() {}

    /** The result of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines() {
            return stdout.isEmpty()
                    ? List.of()
                    : List.of(stdout.split("\n", -1)).subList(0, lineCount());
        }

        private int lineCount() {
            String[] parts = stdout.split("\n", -1);
            return stdout.endsWith("\n") ? parts.length - 1 : parts.length;
        }
    }

    public static ProcessBuilder command(Path workDir, String... args) {
        String jar = System.getProperty("switchboard.app", "target/switchboard/switchboard.jar");
        if (!Files.exists(Path.of(jar))) {
            throw new IllegalStateException("the application is not packaged at " + jar + ": run `./mvnw package`");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("-jar");
        command.add(Path.of(jar).toAbsolutePath().toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    /** Runs a command to completion with the given standard input. */
    public static Result run(Path workDir, byte[] stdin, long timeoutSeconds, String... args) throws Exception {
        Process process = command(workDir, args).start();
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        try (var in = process.getOutputStream()) {
            in.write(stdin);
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("switchboard " + String.join(" ", args) + " did not finish in " + timeoutSeconds
                    + " s; stderr: " + new String(err.getNow(new byte[0]), StandardCharsets.UTF_8));
        }
        return new Result(
                process.exitValue(),
                new String(out.get(), StandardCharsets.UTF_8),
                new String(err.get(), StandardCharsets.UTF_8));
    }

    public static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }
}
