package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

class ProduceCommandTest {

    @Test
    void aFailureNamesTheCauseTheCommittedLinesAndHowToResume() {
        ProduceCommand command = new ProduceCommand();
        command.topic = "orders";
        command.writerId = "importer";
        command.skip = 1000;
        SwitchboardClientException kafkaDown = new SwitchboardClientException(
                ErrorCode.UNAVAILABLE,
                "commit failed after 61 attempts in 119.0 s (retry budget 120.0 s): Kafka is unavailable; retry later");

        String message = command.failure(kafkaDown, 4000, "importer");

        assertThat(message)
                .startsWith("Kafka is unavailable (UNAVAILABLE: commit failed after 61 attempts")
                .contains("4000 events were committed to orders after the 1000 skipped lines")
                .contains("the first 5000 lines are in")
                .endsWith("re-run the same command (same input, --writer-id importer, --batch 500, --skip 1000): it"
                        + " publishes only what Kafka does not hold, each line exactly once (a commit still in doubt"
                        + " is either in Kafka or aborted when the re-run starts)");
    }

    @Test
    void aWriterIdImpliesExactlyOnceAndNoWriterIdIsAtLeastOnce() {
        ProduceCommand withWriter = new ProduceCommand();
        new picocli.CommandLine(withWriter).parseArgs("--topic", "orders", "--writer-id", "importer");
        ProduceCommand without = new ProduceCommand();
        new picocli.CommandLine(without).parseArgs("--topic", "orders");

        assertThat(withWriter.exactlyOnce()).isTrue();
        assertThat(without.exactlyOnce()).isFalse();
        assertThat(new picocli.CommandLine(new ProduceCommand())
                        .getUsageMessage()
                        .replaceAll("\\s+", " "))
                .contains("implies --exactly-once");
    }

    @Test
    void withoutAWriterIdTheFailureSaysWhatToSkip() {
        ProduceCommand command = new ProduceCommand();
        command.topic = "orders";

        String message = command.failure(unavailable("the shard's broker is unreachable"), 1500, "random-id");

        assertThat(message).endsWith("the first 1500 lines are in; re-run with --skip 1500 to publish the rest");
    }

    @Test
    void anExactlyOnceWriterIsToldItsReRunStoresNothingTwice() {
        ProduceCommand command = new ProduceCommand();
        command.topic = "orders";
        command.writerId = "importer";
        command.exactlyOnce = true;
        command.batch = 100;

        String message = command.failure(unavailable("Kafka did not acknowledge"), 300, "importer");

        assertThat(message)
                .endsWith("re-run the same command (same input, --writer-id importer, --batch 100): it publishes only"
                        + " what Kafka does not hold, each line exactly once (a commit still in doubt is either in"
                        + " Kafka or aborted when the re-run starts)")
                .doesNotContain("at-least-once");
    }

    @Test
    void theCauseIsNamedInTheTermsOfWhoRunsTheCommand() {
        assertThat(ProduceCommand.cause(unavailable("the shard's broker is unreachable; retry")))
                .isEqualTo("the shard's AMQP broker is unreachable");
        assertThat(ProduceCommand.cause(unavailable("Kafka did not acknowledge the chunks; commit again")))
                .isEqualTo("Kafka is unavailable");
        assertThat(ProduceCommand.cause(unavailable("allocate failed: cannot connect to any of [http://x]")))
                .isEqualTo("no API node answers");
        assertThat(ProduceCommand.cause(unavailable("no backend node is taking new sessions on this shard")))
                .isEqualTo("no backend node takes sessions");
        assertThat(ProduceCommand.cause(unavailable("commit failed after 3 attempts in 121.0 s (retry budget 120.0 s):"
                        + " the backend's commit to Kafka timed out: Kafka did not acknowledge chunks up to 7 of writer"
                        + " w within max-wait (30000 ms); they may or may not be committed; retriable")))
                .isEqualTo("the backend's commit to Kafka timed out (the last chunks may or may not be committed)");
        assertThat(ProduceCommand.cause(unavailable("the backend did not answer in time")))
                .isEqualTo("a backend node did not answer in time");
        assertThat(ProduceCommand.cause(new SwitchboardClientException(ErrorCode.FORBIDDEN, "no scope")))
                .isEqualTo("publishing failed");
    }

    private static SwitchboardClientException unavailable(String message) {
        return new SwitchboardClientException(ErrorCode.UNAVAILABLE, message);
    }
}
