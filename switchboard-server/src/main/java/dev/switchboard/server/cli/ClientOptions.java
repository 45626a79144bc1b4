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
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options shared by the client tools: where Switchboard is, which token to present, which CA to trust. */
final class ClientOptions {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final Path DEFAULT_TOKEN_FILE = Path.of("switchboard-data", "dev-token");

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "API URL: http(s)://host:port, or the%nbinary TCP port as sb://host:port%n(sbs:// with"
                    + " TLS); repeat to fail over%nbetween nodes, in any mix (default:%n" + DEFAULT_URL + ")")
    List<URI> urls = List.of();

    @Option(
            names = "--token-file",
            paramLabel = "F",
            description =
                    "file holding the bearer token (default:%n$SWITCHBOARD_TOKEN, else%n./switchboard-data/dev-token)")
    @Nullable
    Path tokenFile;

    @Option(
            names = "--ca-file",
            paramLabel = "F",
            description = "PEM file of the CA (or self-signed certificate) to trust for https URLs, instead of the"
                    + " JDK's trust store; standalone --tls-self-signed%nwrites ./switchboard-data/tls/ca.pem")
    @Nullable
    Path caFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * The URLs to use: --url, else the default; a URL that is not absolute http(s), or sb(s) with a port, is bad
     * usage (exit 2).
     */
    List<URI> urls() {
        List<URI> chosen = urls.isEmpty() ? List.of(URI.create(DEFAULT_URL)) : urls;
        for (URI url : chosen) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            boolean tcp = scheme.equals("sb") || scheme.equals("sbs");
            if (!(scheme.equals("http") || scheme.equals("https") || tcp)
                    || url.getHost() == null
                    || (tcp && url.getPort() < 0)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--url: expected an http:// or https:// URL with a host, or sb://host:port or"
                                + " sbs://host:port (the binary TCP port), got '" + url + "'");
            }
        }
        return chosen;
    }

    SwitchboardClient connect() {
        SwitchboardClient.Builder builder = SwitchboardClient.builder().urls(urls());
        token().ifPresent(builder::token);
        if (caFile != null) {
            builder.trustedCertificates(caFile);
        }
        return builder.build();
    }

    /** The token: --token-file, else $SWITCHBOARD_TOKEN, else ./switchboard-data/dev-token when it exists. */
    Optional<String> token() {
        if (tokenFile != null) {
            if (!Files.exists(tokenFile)) {
                throw new ParameterException(spec.commandLine(), "--token-file: " + tokenFile + " not found");
            }
            String token = read(tokenFile);
            if (token.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(), "--token-file: " + tokenFile + " is empty (expected a bearer token)");
            }
            return Optional.of(token);
        }
        String fromEnvironment = System.getenv("SWITCHBOARD_TOKEN");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(fromEnvironment.trim());
        }
        if (!Files.isReadable(DEFAULT_TOKEN_FILE)) {
            return Optional.empty();
        }
        String token = read(DEFAULT_TOKEN_FILE);
        if (token.isEmpty()) {
            throw new IllegalStateException("the token file " + DEFAULT_TOKEN_FILE.toAbsolutePath()
                    + " is empty; give a token with --token-file or $SWITCHBOARD_TOKEN");
        }
        return Optional.of(token);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token file " + file + ": " + e.getMessage(), e);
        }
    }
}
