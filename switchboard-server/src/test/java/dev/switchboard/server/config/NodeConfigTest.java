package dev.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The YAML file, flag overrides, and the validation of both roles' settings. */
class NodeConfigTest {
    private static final String CLUSTER_YAML = """
            shards:
              s0: amqp://guest:secret@broker-a:5672/sb
              s1: amqp://guest:secret@broker-b:5672/sb
            node-id: backend-a
            node-shard: s1
            bootstrap-servers: kafka:9092
            cluster-secret-file: /etc/switchboard/secret
            auto-create-topics: true
            kafka:
              security.protocol: SSL
            host: 0.0.0.0
            port: 9090
            """;

    @TempDir
    Path dir;

    @Test
    void backendReadsItsKeysFromTheFile() {
        // Given a file with every key
        NodeConfigFile file = NodeConfigFile.parse(CLUSTER_YAML, "cluster.yaml");

        // When the backend role reads it
        BackendSettings settings = BackendSettings.from(file);

        // Then it belongs to its shard only, with that shard's broker
        assertThat(settings.nodeId()).isEqualTo("backend-a");
        assertThat(settings.shard()).isEqualTo("s1");
        assertThat(settings.shardUri()).isEqualTo(URI.create("amqp://guest:secret@broker-b:5672/sb"));
        assertThat(settings.switchConfig().shards()).containsOnlyKeys("s1");
        assertThat(settings.switchConfig().apiSide()).isFalse();
        assertThat(settings.backendConfig().shard()).isEqualTo("s1");
        assertThat(settings.backendConfig().kafka()).containsEntry("security.protocol", "SSL");
        assertThat(settings.backendConfig().autoCreateTopics()).isTrue();
        assertThat(settings.clusterSecretFile()).isEqualTo(Path.of("/etc/switchboard/secret"));
    }

    @Test
    void apiReadsItsKeysFromTheSameFile() {
        ApiSettings settings = ApiSettings.from(NodeConfigFile.parse(CLUSTER_YAML, "cluster.yaml"));

        assertThat(settings.shards()).containsOnlyKeys("s0", "s1");
        assertThat(settings.switchConfig().apiSide()).isTrue();
        assertThat(settings.apiConfig().host()).isEqualTo("0.0.0.0");
        assertThat(settings.apiConfig().port()).isEqualTo(9090);
    }

    @Test
    void flagsWinOverTheFileAndFlagShardsReplaceTheFilesShards() {
        // Given the file and flags for another shard list, node and port
        NodeConfigFile file = NodeConfigFile.parse(CLUSTER_YAML, "cluster.yaml");
        NodeConfigFile flags =
                new NodeConfigFile(Map.of("x", "amqp://h:5672"), "api-9", null, null, null, null, null, null, 0);

        // When they are merged
        ApiSettings settings = ApiSettings.from(file.overriddenBy(flags));

        // Then each flag wins, and the unset ones leave the file's value
        assertThat(settings.shards()).containsOnlyKeys("x");
        assertThat(settings.nodeId()).isEqualTo("api-9");
        assertThat(settings.port()).isZero();
        assertThat(settings.host()).isEqualTo("0.0.0.0");
    }

    @Test
    void defaultsWithOnlyShards() {
        NodeConfigFile file = NodeConfigFile.parse("shards: {s0: 'amqp://127.0.0.1'}", "f");

        ApiSettings api = ApiSettings.from(file);

        assertThat(api.host()).isEqualTo("127.0.0.1");
        assertThat(api.port()).isEqualTo(8080);
        assertThat(api.nodeId()).matches("[A-Za-z0-9_-]+-\\d+-[0-9a-f]{6}");
        assertThat(ApiSettings.from(file).nodeId()).isNotEqualTo(api.nodeId());
    }

    @Test
    void aBackendWithOneShardBelongsToIt() {
        NodeConfigFile file = NodeConfigFile.parse(
                "shards: {only: 'amqp://127.0.0.1'}\nbootstrap-servers: k:9092\ncluster-secret-file: s", "f");

        assertThat(BackendSettings.from(file).shard()).isEqualTo("only");
    }

    @Test
    void unknownKeysAreRefusedByName() {
        assertThatThrownBy(() -> NodeConfigFile.parse("shard: s0\n", "cluster.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.yaml")
                .hasMessageContaining("unknown key 'shard'")
                .hasMessageContaining("node-shard");
    }

    @Test
    void malformedYamlSaysWhere() {
        assertThatThrownBy(() -> NodeConfigFile.parse("shards:\n  s0: [unclosed\n", "cluster.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.yaml: not a valid configuration at line");
        assertThatThrownBy(() -> NodeConfigFile.parse("port: eighty\n", "cluster.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a valid configuration");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> NodeConfigFile.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.yaml does not exist");
    }

    @Test
    void missingOrBadValuesNameTheirKey() {
        assertThatThrownBy(() -> ApiSettings.from(NodeConfigFile.empty()))
                .hasMessageStartingWith("shards: no shard configured");
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'http://h'}")))
                .hasMessageContaining("shards.s0: the URI must start with amqp://");
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'amqp://h'}\nport: 70000")))
                .hasMessageStartingWith("port:");
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'amqp://h'}\nnode-id: 'a.b'")))
                .hasMessageStartingWith("node-id:");
        assertThatThrownBy(() -> BackendSettings.from(parse("shards: {s0: 'amqp://h'}\ncluster-secret-file: s")))
                .hasMessageStartingWith("bootstrap-servers: required");
        assertThatThrownBy(() -> BackendSettings.from(parse("shards: {s0: 'amqp://h'}\nbootstrap-servers: k:1")))
                .hasMessageStartingWith("cluster-secret-file: required");
        assertThatThrownBy(() ->
                        BackendSettings.from(parse("shards: {s0: 'amqp://h', s1: 'amqp://h'}\nbootstrap-servers: k:1\n"
                                + "cluster-secret-file: s")))
                .hasMessageStartingWith("node-shard: required when more than one shard");
        assertThatThrownBy(() ->
                        BackendSettings.from(parse("shards: {s0: 'amqp://h'}\nnode-shard: s9\nbootstrap-servers: k:1\n"
                                + "cluster-secret-file: s")))
                .hasMessageStartingWith("node-shard: 's9' is not one of the configured shards (s0)");
    }

    @Test
    void errorsNeverEchoABrokerPassword() {
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'http://user:hunter2@h'}")))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void theClusterSecretMustExistAndBeLongEnough() throws Exception {
        BackendSettings settings = BackendSettings.from(parse("shards: {s0: 'amqp://h'}\nbootstrap-servers: k:1\n"
                + "cluster-secret-file: '" + dir.resolve("secret") + "'"));

        assertThatThrownBy(settings::readClusterSecret)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("every backend");

        Files.write(dir.resolve("secret"), new byte[8]);
        assertThatThrownBy(settings::readClusterSecret).hasMessageContaining("holds 8 bytes, at least 16");

        Files.write(dir.resolve("secret"), new byte[32]);
        assertThat(settings.readClusterSecret()).hasSize(32);
    }

    @Test
    void hostNamesBecomeValidNodeIdParts() {
        assertThat(NodeIds.sanitize("web-3.example.com")).isEqualTo("web-3");
        assertThat(NodeIds.sanitize("wéb_1")).isEqualTo("w-b_1");
        assertThat(NodeIds.sanitize("")).isEqualTo("node");
        assertThat(NodeIds.sanitize("x".repeat(100))).hasSize(40);
        assertThat(NodeIds.unique()).hasSizeLessThanOrEqualTo(64);
    }

    private static NodeConfigFile parse(String yaml) {
        return NodeConfigFile.parse(yaml, "test.yaml");
    }
}
