package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthTest {
    private final AtomicBoolean extraReady = new AtomicBoolean(true);
    private LocalSwitch sw;
    private ApiServer server;
    private ThriftOverHttp client;

    @BeforeEach
    void startServer() {
        sw = new LocalSwitch();
        server = ApiServer.start(ApiConfig.defaults().withPort(0), sw, extraReady::get);
        client = new ThriftOverHttp(server.uri());
    }

    @AfterEach
    void stopServer() {
        server.close();
        sw.close();
    }

    @Test
    void liveAnswersWithoutAnyBackend() {
        HttpResponse<String> response = client.get("/health/live");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("live");
    }

    @Test
    void readyOnlyOnceABackendIsAttached() {
        // Given no backend: not ready
        HttpResponse<String> before = client.get("/health/ready");
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("not ready");

        // When a backend attaches
        Switch.Attachment attachment = sw.attach(new TestBackend());

        // Then ready
        HttpResponse<String> after = client.get("/health/ready");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("ready");
        attachment.close();
    }

    @Test
    void notReadyWhileTheExtraCheckSaysNo() {
        // Given a backend, but the embedding role not ready yet
        Switch.Attachment attachment = sw.attach(new TestBackend());
        extraReady.set(false);

        // Then not ready
        assertThat(client.get("/health/ready").statusCode()).isEqualTo(503);
        attachment.close();
    }

    @Test
    void healthAcceptsOnlyGet() {
        assertThat(client.method("POST", "/health/live").statusCode()).isEqualTo(405);
    }
}
