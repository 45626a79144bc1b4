package dev.switchboard.server.cli;

import dev.switchboard.client.SwitchboardClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options shared by the client tools: where Switchboard is, which token to present, which CA to trust. */
final class ClientOptions {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final Path DEFAULT_TOKEN_FILE = Path.of("switchboard-data", "dev-token");

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "API URL; repeat to fail over between nodes (default: " + DEFAULT_URL + ")")
    List<URI> urls = List.of();

    @Option(
            names = "--token-file",
            paramLabel = "F",
            description =
                    "file holding the bearer token (default: $SWITCHBOARD_TOKEN, else ./switchboard-data/dev-token)")
    Path tokenFile;

    @Option(
            names = "--ca-file",
            paramLabel = "F",
            description = "PEM file of the CA (or self-signed certificate) to trust for https URLs, instead of the"
                    + " JDK's trust store; standalone --tls-self-signed writes ./switchboard-data/tls/ca.pem")
    Path caFile;

    SwitchboardClient connect() {
        SwitchboardClient.Builder builder =
                SwitchboardClient.builder().urls(urls.isEmpty() ? List.of(URI.create(DEFAULT_URL)) : urls);
        token().ifPresent(builder::token);
        if (caFile != null) {
            builder.trustedCertificates(caFile);
        }
        return builder.build();
    }

    /** The token: --token-file, else $SWITCHBOARD_TOKEN, else ./switchboard-data/dev-token when it exists. */
    Optional<String> token() {
        if (tokenFile != null) {
            return Optional.of(read(tokenFile));
        }
        String fromEnvironment = System.getenv("SWITCHBOARD_TOKEN");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(fromEnvironment.trim());
        }
        return Files.isReadable(DEFAULT_TOKEN_FILE) ? Optional.of(read(DEFAULT_TOKEN_FILE)) : Optional.empty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token file " + file + ": " + e.getMessage(), e);
        }
    }
}
