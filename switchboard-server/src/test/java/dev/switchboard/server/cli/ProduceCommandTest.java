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
                .endsWith("re-run with --writer-id importer --skip 5000 to publish the rest");
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
        assertThat(ProduceCommand.cause(new SwitchboardClientException(ErrorCode.FORBIDDEN, "no scope")))
                .isEqualTo("publishing failed");
    }

    private static SwitchboardClientException unavailable(String message) {
        return new SwitchboardClientException(ErrorCode.UNAVAILABLE, message);
    }
}
