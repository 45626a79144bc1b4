package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.tls.TrustedCertificates;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code switchboard status}: the operator's view of a cluster, from {@code GET /v1/cluster} of every API URL
 * given. Exit 0 when every shard has a serving backend node, 1 otherwise (or when no API node answers).
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show the cluster: shards and their brokers, backend nodes per shard (state, sessions, load, version)",
            "and the API nodes. Needs a token with the switchboard:admin scope.",
            "Exit code: 0 when every shard has a serving backend node, 1 otherwise."
        })
public final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--json", description = "print the cluster as one JSON document instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<URI> urls = client.urls();
        Optional<String> token = client.token();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (client.caFile != null) {
            builder.sslContext(TrustedCertificates.sslContext(client.caFile));
        }
        ObjectNode result = JSON.createObjectNode();
        ArrayNode apis = result.putArray("api-nodes");
        JsonNode shards = null;
        try (HttpClient http = builder.build()) {
            for (URI url : urls) {
                ObjectNode api = apis.addObject().put("url", url.toString());
                try {
                    JsonNode view = fetch(http, url, token);
                    api.put("node", view.path("api").path("node").asText());
                    api.put("version", view.path("api").path("version").asText());
                    if (view.path("api").has("tcp-url")) {
                        api.put("tcp-url", view.path("api").path("tcp-url").asText());
                    }
                    api.put("state", "ok");
                    api.set("traffic", view.path("traffic"));
                    if (shards == null) {
                        shards = view.path("shards");
                    }
                } catch (StatusFailure e) {
                    api.put("state", "error");
                    api.put("error", e.getMessage());
                }
            }
        }
        if (shards == null) {
            String errors = String.join("; ", apis.findValuesAsText("error"));
            throw new IllegalStateException("no API node answered: " + errors);
        }
        result.set("shards", shards);
        boolean healthy = shards.size() > 0;
        for (JsonNode shard : shards) {
            healthy &= shard.path("serving").asBoolean(false);
        }
        result.put("healthy", healthy);
        PrintStream out = System.out;
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        } else {
            printTable(out, result);
        }
        return healthy ? 0 : 1;
    }

    private static JsonNode fetch(HttpClient http, URI base, Optional<String> token) throws StatusFailure {
        if ("sb".equalsIgnoreCase(base.getScheme()) || "sbs".equalsIgnoreCase(base.getScheme())) {
            throw new StatusFailure(base + " is a binary TCP URL, which carries calls only: status reads GET"
                    + " /v1/cluster over HTTP, so give the node's http(s) URL (cluster.json's api-urls)");
        }
        URI url = base.resolve("/v1/cluster");
        HttpRequest.Builder request =
                HttpRequest.newBuilder(url).timeout(TIMEOUT).GET();
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StatusFailure("cannot reach " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StatusFailure("interrupted");
        }
        if (response.statusCode() != 200) {
            String text = response.body().strip();
            throw new StatusFailure("HTTP " + response.statusCode() + " from " + url
                    + (text.isEmpty() ? "" : ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text)));
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new StatusFailure(url + " did not answer JSON: " + e.getMessage());
        }
    }

    private static void printTable(PrintStream out, JsonNode result) {
        String row = "%-10s %-14s %-24s %-10s %9s %6s  %s%n";
        out.printf(row, "SHARD", "BROKER", "NODE", "STATE", "SESSIONS", "LOAD", "VERSION");
        for (JsonNode shard : result.path("shards")) {
            String name = shard.path("shard").asText();
            String broker = shard.path("connected").asBoolean() ? "connected" : "unreachable";
            JsonNode nodes = shard.path("nodes");
            if (nodes.isEmpty()) {
                out.printf(row, name, broker, "-", "no node", "-", "-", "-");
            }
            for (JsonNode node : nodes) {
                out.printf(
                        row,
                        name,
                        broker,
                        node.path("node").asText(),
                        node.path("state").asText(),
                        node.has("sessions") ? node.path("sessions").asText() : "-",
                        node.path("inflight").asText(),
                        node.path("version").asText());
            }
            if (!shard.path("serving").asBoolean()) {
                out.printf("  shard %s has no serving backend node: new sessions go to other shards%n", name);
            }
        }
        out.println();
        String apiRow = "%-40s %-16s %-10s %s%n";
        out.printf(apiRow, "API URL", "NODE", "VERSION", "STATE");
        for (JsonNode api : result.path("api-nodes")) {
            out.printf(
                    apiRow,
                    api.path("url").asText(),
                    api.path("node").asText("-"),
                    api.path("version").asText("-"),
                    api.path("state").asText().equals("ok")
                            ? "ok"
                            : api.path("error").asText());
        }
        out.println();
        out.println(
                result.path("healthy").asBoolean()
                        ? "healthy: every shard has a serving backend node"
                        : "NOT healthy: some shard has no serving backend node");
    }

    /** One API node could not give its view; the others may. */
    private static final class StatusFailure extends Exception {
        StatusFailure(String message) {
            super(message);
        }
    }
}
