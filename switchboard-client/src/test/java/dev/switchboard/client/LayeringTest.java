package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SDK ships inside applications: its main code may use switchboard-core, switchboard-protocol, Thrift, the JDK
 * and SLF4J, and nothing of the tiers or their frameworks.
 */
class LayeringTest {
    private static final Pattern FORBIDDEN = Pattern.compile(
            "^import (static )?(dev\\.switchboard\\.(backend|api|server|switching|testkit)|org\\.apache\\.kafka|"
                    + "org\\.eclipse\\.jetty|com\\.rabbitmq|com\\.fasterxml)\\.",
            Pattern.MULTILINE);

    @Test
    void mainCodeImportsNoTierAndNoFramework() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }

        assertThat(sources)
                .isNotEmpty()
                .allSatisfy(source -> assertThat(
                                FORBIDDEN.matcher(Files.readString(source)).find())
                        .as("forbidden import in %s", source)
                        .isFalse());
    }
}
