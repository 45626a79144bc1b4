package dev.switchboard.server.ops;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real Chromium, headless, for the dashboard test: loads a page, lets its scripts run (fetches
 * included) for a budget of virtual time, then prints the DOM or writes a screenshot.
 */
public final class HeadlessChromium {
    private static final List<String> FLAGS = List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=8000");

    private final Path binary;
    private final Path profile;

    private HeadlessChromium(Path binary, Path profile) {
        this.binary = binary;
        this.profile = profile;
    }

    /** The installed Chromium, when there is one (.ci/run installs it). */
    public static Optional<HeadlessChromium> find(Path workDir) {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            Path binary = Path.of(candidate);
            if (Files.isExecutable(binary)) {
                return Optional.of(new HeadlessChromium(binary, workDir.resolve("chromium-profile")));
            }
        }
        return Optional.empty();
    }

    /** The page's DOM after its scripts ran. */
    public String dom(URI page) throws IOException, InterruptedException {
        return run(page, "--dump-dom");
    }

    /** Writes a screenshot of the page to {@code file}. */
    public void screenshot(URI page, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        run(page, "--screenshot=" + file.toAbsolutePath(), "--window-size=1280,900");
    }

    private String run(URI page, String... extra) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(FLAGS);
        command.add("--user-data-dir=" + profile);
        command.addAll(List.of(extra));
        command.add(page.toString());
        Path errors = Files.createTempFile("chromium", ".log");
        Process process =
                new ProcessBuilder(command).redirectError(errors.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("chromium did not finish: " + Files.readString(errors));
        }
        if (process.exitValue() != 0) {
            throw new IOException("chromium exited " + process.exitValue() + ": " + Files.readString(errors));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
