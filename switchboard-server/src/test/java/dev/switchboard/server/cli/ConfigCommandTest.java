package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code switchboard config --role R}: the effective configuration, checked, with sources and secrets masked. */
class ConfigCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsTheEffectiveConfigurationOfARoleWithSecretsMasked() throws Exception {
        // Given an API node's file with a broker password in a shard URI
        Path file = Files.writeString(dir.resolve("cluster.yaml"), """
                shards: {s0: 'amqp://sb:hunter2@rabbit-0:5672/sb'}
                cluster-secret-file: /etc/switchboard/secret
                oauth: {issuer: 'https://issuer/', audience: sb, jwks-uri: 'https://issuer/jwks'}
                bootstrap-servers: kafka-0:9092
                node-shard: s0
                port: 9000
                """);

        // When config prints the api role with a --set override
        Run run = run("config", "--role", "api", "--config", file.toString(), "--set", "request-timeout=PT3S");

        // Then it lists the api's keys with values and sources, no password, and no backend key
        assertThat(run.exitCode).isZero();
        assertThat(run.out)
                .contains("port: 9000  # file " + file)
                .contains("request-timeout: PT3S  # flag --set request-timeout")
                .contains("host: 127.0.0.1  # default")
                .contains("amqp://sb:***@rabbit-0:5672/sb")
                .doesNotContain("hunter2")
                .contains("bootstrap-servers: \"kafka-0:9092\"  # file " + file) // the audit stream's Kafka
                .doesNotContain("node-shard");
    }

    @Test
    void failsNamingTheKeyWhereTheRoleWouldNotStart() throws Exception {
        Path file = Files.writeString(dir.resolve("cluster.yaml"), "shards: {s0: 'amqp://h'}\n");

        Run run = run("config", "--role", "backend", "--config", file.toString());

        assertThat(run.exitCode).isEqualTo(Main.FAILED);
        assertThat(run.err).contains("switchboard config: bootstrap-servers: required");
        assertThat(run("config", "--role", "gateway").err).contains("role: must be one of api, backend, standalone");
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        commandLine.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            cmd.getErr().println("switchboard " + cmd.getCommandName() + ": " + exception.getMessage());
            return Main.FAILED;
        });
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
