package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as an operator's tool: usage errors exit 2 and name what is wrong; help does not break paths. */
class CliUsageTest {
    @TempDir
    Path dir;

    /** Runs the command line in this JVM; returns the exit code and what went to standard error. */
    private static Run run(String... args) {
        PrintStream err = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(new byte[0]));
            int exit = Main.run(args);
            return new Run(exit, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
            System.setIn(in);
        }
    }

    private record Run(int exit, String stderr) {}

    @Test
    void aUrlThatIsNotHttpIsBadUsage() {
        for (List<String> command :
                List.of(List.of("produce", "--topic", "t"), List.of("consume", "--topic", "t"), List.of("status"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--url", "ftp://127.0.0.1/"));
            Run run = run(args.toArray(String[]::new));
            assertThat(run.exit()).as(command.toString()).isEqualTo(2);
            assertThat(run.stderr()).contains("--url: expected an http:// or https:// URL", "ftp://127.0.0.1/");
        }
    }

    @Test
    void aMissingTokenFileIsNamed() {
        Path missing = dir.resolve("no-such.token");
        Run run = run("consume", "--topic", "t", "--url", "http://127.0.0.1:1/", "--token-file", missing.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains(missing + " not found");
    }

    @Test
    void anEmptyTokenFileIsNamed() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        Run run = run("produce", "--topic", "t", "--url", "http://127.0.0.1:1/", "--token-file", empty.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains(empty + " is empty");
    }

    @Test
    void aBadLogFormatIsBadUsage() {
        Run run = run("status", "--log-format", "xml");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("--log-format");
    }

    @Test
    void helpTextsDoNotBreakInsidePaths() {
        CommandLine root = new CommandLine(new Main());
        for (CommandLine command : root.getSubcommands().values()) {
            String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String line : help.split("\\R")) {
                String text = line.strip();
                assertThat(text)
                        .as("a line of '%s --help' ends inside a word or path: %s", command.getCommandName(), line)
                        .doesNotEndWith("/")
                        .doesNotEndWith("./")
                        .matches(t -> !t.matches(".*[a-z]-$"), "does not end in a hyphenated word");
            }
            assertThat(help).doesNotContainPattern("(?m)^\\s*switchboard-data/");
        }
    }
}
