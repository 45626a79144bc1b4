package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The committed generated sources must come from the committed IDL (scripts/generate-thrift.sh). */
class ThriftSourcesAreCurrentTest {

    @Test
    void generatedSourcesMatchTheIdl() throws Exception {
        // Given the IDL and the stamp the generator wrote next to the generated sources
        byte[] idl = Files.readAllBytes(Path.of("src/main/thrift/switchboard.thrift"));
        String stamp;
        try (InputStream in = getClass().getResourceAsStream("thrift-idl.sha256")) {
            assertThat(in).as("stamp written by scripts/generate-thrift.sh").isNotNull();
            stamp = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }

        // When hashing the IDL
        String actual =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(idl));

        // Then it is the IDL the sources were generated from
        assertThat(actual)
                .as("the IDL changed after generation: run scripts/generate-thrift.sh")
                .isEqualTo(stamp);
    }
}
