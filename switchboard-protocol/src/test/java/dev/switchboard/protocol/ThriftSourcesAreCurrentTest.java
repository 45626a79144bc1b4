package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed generated sources must come from the committed IDL files, untouched (scripts/generate-thrift.sh
 * writes the stamp: a hash per IDL file and one over the generated sources).
 */
class ThriftSourcesAreCurrentTest {

    private static final Path IDL_DIR = Path.of("src/main/thrift");
    private static final Path GENERATED_DIR = Path.of("src/main/thrift-gen");

    @Test
    void generatedSourcesMatchTheIdl() throws Exception {
        // Given every IDL file and the stamp the generator wrote next to the generated sources
        List<Path> idls;
        try (Stream<Path> files = Files.list(IDL_DIR)) {
            idls = files.filter(p -> p.getFileName().toString().endsWith(".thrift"))
                    .sorted()
                    .toList();
        }
        List<String> stamp = stampLines();

        // When hashing each of them, one "<sha-256 hex> <file name>" line per file in name order
        String actual =
                idls.stream().map(ThriftSourcesAreCurrentTest::stampLine).collect(Collectors.joining("\n"));

        // Then they are the IDL files the sources were generated from
        assertThat(idls).extracting(p -> p.getFileName().toString()).contains("switchboard.thrift", "switch.thrift");
        assertThat(actual)
                .as("an IDL file changed after generation: run scripts/generate-thrift.sh")
                .isEqualTo(
                        stamp.stream().filter(line -> line.endsWith(".thrift")).collect(Collectors.joining("\n")));
    }

    @Test
    void generatedSourcesAreAsTheGeneratorWroteThem() throws Exception {
        // Given the generated sources, listed as "<sha-256 hex> <relative path>" per file in byte order of the path
        List<Path> generated;
        try (Stream<Path> files = Files.walk(GENERATED_DIR)) {
            generated = files.filter(Files::isRegularFile)
                    .sorted((a, b) -> relative(a).compareTo(relative(b)))
                    .toList();
        }
        StringBuilder listing = new StringBuilder();
        for (Path file : generated) {
            listing.append(sha256(Files.readAllBytes(file)))
                    .append(' ')
                    .append(relative(file))
                    .append('\n');
        }

        // When hashing that listing
        String actual = sha256(listing.toString().getBytes(StandardCharsets.UTF_8)) + " thrift-gen";

        // Then it is the hash the generator stamped: a hand edit, an added or a removed file all change it
        assertThat(generated).isNotEmpty();
        assertThat(stampLines())
                .as(
                        "the generated Thrift sources were edited by hand: change the IDL and run scripts/generate-thrift.sh")
                .contains(actual);
    }

    @Test
    void aFreshGenerationEqualsTheCommittedSources() throws Exception {
        // Given the thrift compiler the sources are generated with (skipped where it is not installed)
        assumeTrue(thriftCompilerIs("0.17.0"), "thrift 0.17.0 is not on the PATH");

        // When regenerating into a scratch directory and comparing with the committed sources
        Process check = new ProcessBuilder("bash", "../scripts/generate-thrift.sh", "--check")
                .redirectErrorStream(true)
                .start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        // Then they are the same
        assertThat(check.waitFor()).as(output).isZero();
    }

    private static boolean thriftCompilerIs(String version) {
        try {
            Process thrift = new ProcessBuilder("thrift", "--version")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(thrift.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return thrift.waitFor() == 0 && output.contains(version);
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private List<String> stampLines() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("thrift-idl.sha256")) {
            assertThat(in).as("stamp written by scripts/generate-thrift.sh").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .trim()
                    .lines()
                    .toList();
        }
    }

    /** The path below thrift-gen with '/' separators; ASCII, so String order is the script's byte order. */
    private static String relative(Path file) {
        return GENERATED_DIR.relativize(file).toString().replace('\\', '/');
    }

    private static String stampLine(Path idl) {
        try {
            return sha256(Files.readAllBytes(idl)) + " " + idl.getFileName();
        } catch (Exception e) {
            throw new IllegalStateException("cannot hash " + idl, e);
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
