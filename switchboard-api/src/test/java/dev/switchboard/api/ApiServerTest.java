package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The server's lifecycle: listening on a free port, and a prompt, graceful close. */
class ApiServerTest {

    @Test
    void portZeroListensOnAFreePortAndUriNamesIt() {
        try (LocalSwitch sw = new LocalSwitch();
                ApiServer server = ApiServer.start(ApiConfig.defaults().withPort(0), sw)) {
            assertThat(server.port()).isPositive();
            assertThat(server.uri().toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
            assertThat(new ThriftOverHttp(server.uri()).get("/health/live").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void plainHttpOnANonLoopbackAddressIsRefusedBeforeListening() {
        try (LocalSwitch sw = new LocalSwitch()) {
            assertThatThrownBy(() -> ApiServer.start(
                            ApiConfig.defaults().withHost("0.0.0.0").withPort(0), sw))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0.0.0.0 is not a loopback address")
                    .hasMessageContaining("allow-plain-http");
        }
    }

    @Test
    void portAlreadyTakenFailsTheStartNamingThePort() {
        try (LocalSwitch sw = new LocalSwitch();
                ApiServer first = ApiServer.start(ApiConfig.defaults().withPort(0), sw)) {
            ApiConfig sameport = ApiConfig.defaults().withPort(first.port());

            assertThatThrownBy(() -> ApiServer.start(sameport, sw))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(":" + first.port());
        }
    }

    @Test
    void closeAnswersAWaitingLongPollAtOnceAndStopsListening() throws Exception {
        // Given a read waiting on a backend that has not answered yet
        SilentBackend backend = new SilentBackend();
        LocalSwitch sw = new LocalSwitch();
        Switch.Attachment attachment = sw.attach(backend);
        ApiServer server = ApiServer.start(ApiConfig.defaults().withPort(0), sw);
        int port = server.port();
        ThriftOverHttp client = new ThriftOverHttp(server.uri());
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                client.read(new ReadRequest("s0.quiet.abc", 1).setMaxWaitMs(30_000));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !backend.pending.isEmpty());

        // When
        server.close();

        // Then the close answered the waiting read at once with a retriable error (not its 30 s wait running out),
        // and nothing listens any more
        assertThat(outcome.get()).isInstanceOfSatisfying(SwitchboardError.class, error -> {
            assertThat(error.getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(error.getMessage()).contains("shutting down");
        });
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        server.close();
        attachment.close();
        sw.close();
    }

    /** A backend node that takes requests and never answers them. */
    private static final class SilentBackend implements BackendEndpoint {
        final ConcurrentLinkedQueue<CompletableFuture<SwitchResponse>> pending = new ConcurrentLinkedQueue<>();

        @Override
        public String shard() {
            return "s0";
        }

        @Override
        public String nodeId() {
            return "quiet";
        }

        @Override
        public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
            CompletableFuture<SwitchResponse> answer = new CompletableFuture<>();
            pending.add(answer);
            return answer;
        }
    }
}
