package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Controls a running local cluster: {@code switchboard cluster restart}. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Control a running local-cluster.",
        subcommands = {ClusterCommand.Restart.class})
public final class ClusterCommand {

    /** The rolling restart, run by the local-cluster process itself (it owns the processes). */
    @Command(
            name = "restart",
            mixinStandardHelpOptions = true,
            description = {
                "Restart a running local cluster's processes one at a time: drain (SIGTERM), wait for the exit,"
                        + " start the replacement (same node id, shard, port), wait until it serves; cluster.json"
                        + " is updated after each. Prints each step; exits 0 when every process was replaced."
            })
    public static final class Restart implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                description = "the local cluster's data dir (default: ${DEFAULT-VALUE})")
        Path dataDir = Path.of("switchboard-cluster");

        @Option(names = "--role", paramLabel = "backend|api|all", description = "which processes (default: all)")
        String role = "all";

        @Override
        public Integer call() throws Exception {
            if (!role.matches("backend|api|all")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--role must be backend, api or all");
            }
            JsonNode clusterFile;
            String token;
            try {
                clusterFile = new ObjectMapper()
                        .readTree(dataDir.resolve("cluster.json").toFile());
                token = Files.readString(dataDir.resolve("control-token")).strip();
            } catch (NoSuchFileException | java.io.FileNotFoundException e) {
                throw new IOException("no running local cluster in " + dataDir.toAbsolutePath() + " (" + e.getMessage()
                        + " is missing)");
            }
            JsonNode controlUrl = clusterFile.get("control-url");
            if (controlUrl == null) {
                throw new IOException("the local cluster in " + dataDir + " has no control endpoint");
            }
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(controlUrl.asText() + "/restart?role=" + role.toLowerCase(Locale.ROOT)))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build();
            HttpResponse<InputStream> response;
            try (HttpClient http = HttpClient.newHttpClient()) {
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                } catch (IOException e) {
                    throw new IOException("the local cluster's control endpoint " + controlUrl.asText()
                            + " does not answer (is local-cluster still running?): " + e.getMessage());
                }
                String last = "";
                try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        spec.commandLine().getErr().println(line);
                        spec.commandLine().getErr().flush();
                        last = line;
                    }
                }
                if (response.statusCode() != 200) {
                    throw new IOException("refused (" + response.statusCode() + "): " + last);
                }
                if (!last.equals("done")) {
                    throw new IOException(last.isEmpty() ? "the restart stopped without an answer" : last);
                }
            }
            return 0;
        }
    }
}
