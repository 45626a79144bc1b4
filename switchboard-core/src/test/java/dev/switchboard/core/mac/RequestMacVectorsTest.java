package dev.switchboard.core.mac;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The published test vectors of docs/protocol.md ("Request MACs"), docs/vectors/request-mac.json: the Python SDK's
 * tests check the same file, so both implementations and the page agree byte for byte.
 */
class RequestMacVectorsTest {
    private static final Path VECTORS = Path.of("../docs/vectors/request-mac.json");
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theSessionKeyIsTheOneThePageGives() throws Exception {
        // Given the vectors
        JsonNode vectors = new ObjectMapper().readTree(VECTORS.toFile());
        byte[] secret = HEX.parseHex(vectors.get("clusterSecretHex").asText());
        String sessionId = vectors.get("sessionId").asText();

        // When deriving the session key as the API tier does
        byte[] key = RequestMac.sessionKey(secret, sessionId);

        // Then it is the published key, in hex and in the base64 a JSON allocate answer carries
        assertThat(vectors.get("sessionKeyInput").asText()).isEqualTo("sb-session-key-1\n" + sessionId);
        assertThat(HEX.formatHex(key)).isEqualTo(vectors.get("sessionKeyHex").asText());
        assertThat(Base64.getEncoder().encodeToString(key))
                .isEqualTo(vectors.get("sessionKeyBase64").asText());
    }

    @Test
    void everyRequestMacIsTheOneThePageGives() throws Exception {
        // Given the vectors
        JsonNode vectors = new ObjectMapper().readTree(VECTORS.toFile());
        byte[] key = HEX.parseHex(vectors.get("sessionKeyHex").asText());
        String sessionId = vectors.get("sessionId").asText();
        assertThat(vectors.get("requests")).hasSizeGreaterThanOrEqualTo(3);

        for (JsonNode request : vectors.get("requests")) {
            byte[] body = HEX.parseHex(request.get("bodyHex").asText());
            long timestamp = request.get("timestampMs").asLong();
            String nonce = request.get("nonce").asText();

            // When signing the body
            String mac = RequestMac.sign(key, sessionId, timestamp, nonce, body);

            // Then digest, canonical form and MAC are the published ones
            String digest = HEX.formatHex(RequestMac.sha256(body));
            assertThat(digest)
                    .as(request.get("name").asText())
                    .isEqualTo(request.get("bodySha256Hex").asText());
            assertThat("SB-MAC-1\n" + sessionId + "\n" + timestamp + "\n" + nonce + "\n" + digest)
                    .isEqualTo(request.get("canonical").asText());
            assertThat(mac)
                    .as(request.get("name").asText())
                    .isEqualTo(request.get("mac").asText());
            assertThat(RequestMac.isValidNonce(nonce)).isTrue();
            assertThat(new String(mac.getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII))
                    .doesNotContain("=", "+", "/");
        }
    }
}
