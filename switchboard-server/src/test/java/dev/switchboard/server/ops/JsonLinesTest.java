package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

    @Test
    void oneJsonObjectPerLineWithNodeSessionAndTrace() throws Exception {
        // Given an event with a session and a trace in its MDC, on node backend-s0-1
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent(
                "dev.switchboard.Test",
                context.getLogger("dev.switchboard.backend.BackendNode"),
                Level.WARN,
                "session moved session={} \"quoted\"\nsecond line",
                new IllegalStateException("boom"),
                new Object[] {"s0.n1.abc"});
        event.setMDCPropertyMap(Map.of("session", "s0.n1.abc", "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"));
        JsonLines encoder = new JsonLines();
        encoder.setContext(context);
        encoder.start();
        JsonLines.node("backend-s0-1");

        // When it is encoded
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        // Then it is one line of JSON holding every field
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("logger").asText()).isEqualTo("dev.switchboard.backend.BackendNode");
        assertThat(json.get("message").asText()).isEqualTo("session moved session=s0.n1.abc \"quoted\"\nsecond line");
        assertThat(json.get("node").asText()).isEqualTo("backend-s0-1");
        assertThat(json.get("session").asText()).isEqualTo("s0.n1.abc");
        assertThat(json.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(json.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(json.get("exception").asText()).contains("IllegalStateException: boom");
        JsonLines.node("");
    }
}
