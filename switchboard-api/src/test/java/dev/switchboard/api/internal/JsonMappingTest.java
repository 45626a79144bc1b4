package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.StartFrom;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.WriteRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCallOfTheIdlHasAJsonRoute() {
        // The generated processor lists the service's functions: a call added to the IDL needs a JsonCall.
        var functions = new Switchboard.Processor<Switchboard.Iface>(null)
                .getProcessMapView()
                .keySet();

        assertThat(JsonHttpHandler.callNames()).containsExactlyInAnyOrderElementsOf(functions);
    }

    @Test
    void aRequestReadsIntoTheStructWithEnumsByName() throws Exception {
        JsonNode node = JSON.readTree(
                "{\"topic\":\"t\",\"mode\":\"READ\",\"startFrom\":\"TIMESTAMP\",\"startTimestamp\":1767225600000,"
                        + "\"cursor\":null}");

        AllocateRequest request = JsonMapping.read(node, AllocateRequest.class, "allocate request");

        assertThat(request.getTopic()).isEqualTo("t");
        assertThat(request.getMode()).isEqualTo(SessionMode.READ);
        assertThat(request.getStartFrom()).isEqualTo(StartFrom.TIMESTAMP);
        assertThat(request.getStartTimestamp()).isEqualTo(1767225600000L);
        assertThat(request.isSetCursor()).isFalse();
    }

    @Test
    void answersCarryTextWhenTheBytesAreUtf8AndBase64OtherwiseLosingNothing() throws Exception {
        // Given a batch with a text event and a binary one
        Event text = new Event(ByteBuffer.wrap("hé".getBytes(StandardCharsets.UTF_8)))
                .setHeaders(Map.of(
                        "t", ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)),
                        "b", ByteBuffer.wrap(new byte[] {(byte) 0xc3})))
                .setPartition(2)
                .setOffset(9);
        Event binary = new Event(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0})).setKey(new byte[] {(byte) 0x80});
        ReadResponse response = new ReadResponse(3, List.of(text, binary));

        // When writing it as JSON and reading the events back as a write would
        JsonNode node = JsonMapping.write(response);
        List<Event> back = JsonMapping.read(
                        JSON.readTree("{\"sessionId\":\"s.n.r\",\"seq\":3,\"events\":" + node.get("events") + "}"),
                        WriteRequest.class,
                        "write request")
                .getEvents();

        // Then each binary field took the form its bytes allow, and the bytes came back the same
        assertThat(node.get("events").get(0).get("text").asText()).isEqualTo("hé");
        assertThat(node.get("events").get(0).get("headers").get("t").asText()).isEqualTo("v");
        assertThat(node.get("events").get(0).get("headersBase64").get("b").asText())
                .isEqualTo("ww==");
        assertThat(node.get("events").get(1).get("payload").asText()).isEqualTo("/wA=");
        assertThat(node.get("events").get(1).get("key").asText()).isEqualTo("gA==");
        assertThat(node.get("events").get(1).has("text")).isFalse();
        assertThat(back.get(0).getPayload()).isEqualTo("hé".getBytes(StandardCharsets.UTF_8));
        assertThat(back.get(0).getHeaders().get("b").array()).isEqualTo(new byte[] {(byte) 0xc3});
        assertThat(back.get(1).getPayload()).isEqualTo(new byte[] {(byte) 0xff, 0});
        assertThat(back.get(1).getKey()).isEqualTo(new byte[] {(byte) 0x80});
    }

    @Test
    void badValuesAreInvalidRequestsNamingTheFieldNotTheValue() {
        assertInvalid("{\"sessionId\":\"s\",\"seq\":1,\"events\":[{}]}", "events[0] lacks required field 'payload'");
        assertInvalid(
                "{\"sessionId\":\"s\",\"seq\":1,\"events\":[{\"payload\":\"QQ==\",\"text\":\"A\"}]}",
                "set either payload (base64) or text, not both");
        assertInvalid("{\"sessionId\":\"s\",\"seq\":1,\"events\":[{\"payload\":\"%%%secret\"}]}", "must be base64");
        assertInvalid("{\"sessionId\":\"s\",\"seq\":1.5,\"events\":[]}", "seq must be an integer");
        assertInvalid("{\"sessionId\":\"s\",\"seq\":99999999999999999999,\"events\":[]}", "seq must be an integer");
        assertInvalid("{\"sessionId\":\"s\",\"seq\":1,\"events\":{}}", "events must be a JSON array");
        assertInvalid(
                "{\"sessionId\":\"s\",\"seq\":1,\"events\":[{\"text\":\"a\",\"headers\":{\"h\":1}}]}",
                "headers.h must be a JSON string");
    }

    private static void assertInvalid(String json, String messagePart) {
        assertThatThrownBy(() -> JsonMapping.read(JSON.readTree(json), WriteRequest.class, "write request"))
                .isInstanceOfSatisfying(SwitchboardException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains(messagePart).doesNotContain("secret");
                })
                .as(Arrays.toString(new String[] {json}));
    }
}
