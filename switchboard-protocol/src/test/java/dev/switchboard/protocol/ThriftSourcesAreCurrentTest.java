package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed generated sources must come from the committed IDL files (scripts/generate-thrift.sh). */
class ThriftSourcesAreCurrentTest {

    @Test
    void generatedSourcesMatchTheIdl() throws Exception {
        // Given every IDL file and the stamp the generator wrote next to the generated sources
        List<Path> idls;
        try (Stream<Path> files = Files.list(Path.of("src/main/thrift"))) {
            idls = files.filter(p -> p.getFileName().toString().endsWith(".thrift"))
                    .sorted()
                    .toList();
        }
        String stamp;
        try (InputStream in = getClass().getResourceAsStream("thrift-idl.sha256")) {
            assertThat(in).as("stamp written by scripts/generate-thrift.sh").isNotNull();
            stamp = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }

        // When hashing each of them, one "<sha-256 hex> <file name>" line per file in name order
        String actual =
                idls.stream().map(ThriftSourcesAreCurrentTest::stampLine).collect(Collectors.joining("\n"));

        // Then they are the IDL files the sources were generated from
        assertThat(idls).extracting(p -> p.getFileName().toString()).contains("switchboard.thrift", "switch.thrift");
        assertThat(actual)
                .as("an IDL file changed after generation: run scripts/generate-thrift.sh")
                .isEqualTo(stamp);
    }

    private static String stampLine(Path idl) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(idl));
            return HexFormat.of().formatHex(digest) + " " + idl.getFileName();
        } catch (Exception e) {
            throw new IllegalStateException("cannot hash " + idl, e);
        }
    }
}
