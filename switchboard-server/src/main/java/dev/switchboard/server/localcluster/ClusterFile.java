package dev.switchboard.server.localcluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code <data-dir>/cluster.json}: every process of a local cluster with its role, pid, shard, node id, URL and
 * log, for people and scripts (e.g. to pick a backend pid to kill), the file of the development token, and the
 * loopback URL of the cluster's control endpoint ({@code switchboard cluster restart}; its bearer token is in
 * {@code <data-dir>/control-token}, owner-readable only). Broker passwords are never written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ClusterFile(
        @JsonProperty("data-dir") String dataDir,
        @JsonProperty("api-urls") List<String> apiUrls,
        @JsonProperty("api-tcp-urls") List<String> apiTcpUrls,
        @JsonProperty("dev-token") String devToken,
        @JsonProperty("kafka-bootstrap-servers") String kafkaBootstrapServers,
        @JsonProperty("shards") Map<String, String> shards,
        @JsonProperty("processes") List<Entry> processes,
        @JsonProperty("control-url") @Nullable String controlUrl) {

    /** One process. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(
            @JsonProperty("role") String role,
            @JsonProperty("pid") long pid,
            @JsonProperty("shard") @Nullable String shard,
            @JsonProperty("node-id") @Nullable String nodeId,
            @JsonProperty("url") String url,
            @JsonProperty("log") String log,
            @JsonProperty("metrics") @Nullable String metrics) {
        Entry(String role, long pid, @Nullable String shard, @Nullable String nodeId, String url, String log) {
            this(role, pid, shard, nodeId, url, log, null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes atomically: readers never see half a file. */
    void write(Path file) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(temporary.toFile(), this);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The URI without its password, for files and logs. */
    static String withoutPassword(URI uri) {
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null) {
            return uri.toString();
        }
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
        return uri.toString().replace(userInfo + "@", user + ":***@");
    }
}
