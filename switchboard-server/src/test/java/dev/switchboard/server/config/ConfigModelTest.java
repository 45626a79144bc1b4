package dev.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration model: layers (file, environment, flags), sources in messages, printing, the key list. */
class ConfigModelTest {
    private static final String BACKEND_YAML = """
            shards: {s0: 'amqp://guest:hunter2@broker:5672/sb'}
            bootstrap-servers: kafka:9092
            cluster-secret-file: /etc/switchboard/secret
            kafka: {security.protocol: SASL_SSL, sasl.jaas.config: 'PlainLoginModule user=u password=p'}
            tail-cache-bytes: 1024
            encryption: {keystore: k.p12, keystore-password-file: k.password}
            limits:
              max-events-per-read: 10
            """;

    @TempDir
    Path dir;

    @Test
    void theEnvironmentOverridesTheFileAndFlagsOverrideBoth() {
        // Given a file, an environment naming two keys, and a flag naming one of them
        NodeConfig config = NodeConfig.builder()
                .yaml(BACKEND_YAML, "cluster.yaml")
                .environment(Map.of(
                        "SWITCHBOARD_TAIL_CACHE_BYTES", "2048",
                        "SWITCHBOARD_LIMITS_MAX_EVENTS_PER_READ", "20",
                        "SWITCHBOARD_ENCRYPTION_KEY_MAX_AGE", "PT1H",
                        "SWITCHBOARD_TOKEN", "not a key: left alone"))
                .flag(ConfigKeys.TAIL_CACHE_BYTES, 4096L, "--tail-cache-bytes")
                .build();

        // Then each key has the value of the last layer that set it, and says which
        assertThat(config.get(ConfigKeys.TAIL_CACHE_BYTES)).isEqualTo(4096L);
        assertThat(config.source(ConfigKeys.TAIL_CACHE_BYTES)).isEqualTo("flag --tail-cache-bytes");
        assertThat(config.get(ConfigKeys.LIMITS_MAX_EVENTS_PER_READ)).isEqualTo(20);
        assertThat(config.source(ConfigKeys.LIMITS_MAX_EVENTS_PER_READ))
                .isEqualTo("environment variable SWITCHBOARD_LIMITS_MAX_EVENTS_PER_READ");
        assertThat(config.get(ConfigKeys.ENCRYPTION_KEY_MAX_AGE)).isEqualTo(Duration.ofHours(1));
        assertThat(config.get(ConfigKeys.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(config.source(ConfigKeys.BOOTSTRAP_SERVERS)).isEqualTo("file cluster.yaml");
        assertThat(config.get(ConfigKeys.AUTO_CREATE_TOPICS)).isFalse();
        assertThat(config.source(ConfigKeys.AUTO_CREATE_TOPICS)).isEqualTo("default");

        // And --set wins over everything
        NodeConfig set = NodeConfig.builder()
                .yaml(BACKEND_YAML, "cluster.yaml")
                .environment(Map.of("SWITCHBOARD_TAIL_CACHE_BYTES", "2048"))
                .set(Map.of("tail-cache-bytes", "0"))
                .build();
        assertThat(set.get(ConfigKeys.TAIL_CACHE_BYTES)).isZero();
        assertThat(set.source(ConfigKeys.TAIL_CACHE_BYTES)).isEqualTo("flag --set tail-cache-bytes");
    }

    @Test
    void mapKeysFromTheEnvironmentTakeNameValuePairs() {
        NodeConfig config = NodeConfig.builder()
                .environment(Map.of(
                        "SWITCHBOARD_SHARDS", "s0=amqp://a:5672/x, s1=amqps://b:5671/y",
                        "SWITCHBOARD_KAFKA", "security.protocol=SSL"))
                .build();

        assertThat(config.get(ConfigKeys.SHARDS))
                .containsExactly(Map.entry("s0", "amqp://a:5672/x"), Map.entry("s1", "amqps://b:5671/y"));
        assertThat(config.get(ConfigKeys.KAFKA)).containsExactly(Map.entry("security.protocol", "SSL"));
        assertThatThrownBy(() -> NodeConfig.builder()
                        .environment(Map.of("SWITCHBOARD_KAFKA", "security.protocol"))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kafka: expected name=value")
                .hasMessageContaining("environment variable SWITCHBOARD_KAFKA");
    }

    @Test
    void aBadValueNamesItsKeyAndWhereItCameFrom() {
        assertThatThrownBy(() -> NodeConfig.builder()
                        .environment(Map.of("SWITCHBOARD_PORT", "70000"))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("port: must be within 0..65535, got 70000 (environment variable SWITCHBOARD_PORT)");
        assertThatThrownBy(() -> NodeConfig.builder()
                        .flag(ConfigKeys.REQUEST_TIMEOUT, "30s", "--request-timeout")
                        .build())
                .hasMessageStartingWith("request-timeout: must be an ISO-8601 duration")
                .hasMessageContaining("flag --request-timeout");
        assertThatThrownBy(() -> NodeConfig.parse("limits: {write-window: 0}", "cluster.yaml"))
                .hasMessage("limits.write-window: must be at least 1, got 0 (file cluster.yaml)");
        assertThatThrownBy(() -> NodeConfig.parse("auto-create-topics: yes please", "cluster.yaml"))
                .hasMessageStartingWith("auto-create-topics: expected true or false")
                .hasMessageContaining("file cluster.yaml");
        assertThatThrownBy(() ->
                        NodeConfig.builder().set(Map.of("tail-cache", "1")).build())
                .hasMessageStartingWith("--set tail-cache: unknown key")
                .hasMessageContaining("tail-cache-bytes");
        assertThatThrownBy(() -> NodeConfig.parse("limits: 5", "cluster.yaml"))
                .hasMessageContaining("'limits' is a section")
                .hasMessageContaining("max-wait");
        assertThatThrownBy(() -> NodeConfig.parse("host: {a: b}", "cluster.yaml"))
                .hasMessageContaining("'host' must be a string, not a mapping");
    }

    @Test
    void sectionsMayBeNestedOrDotted() {
        NodeConfig nested = NodeConfig.parse("limits: {max-wait: PT5S}\noauth: {issuer: i}", "a.yaml");
        NodeConfig dotted = NodeConfig.parse("limits.max-wait: PT5S\noauth.issuer: i", "b.yaml");

        assertThat(nested.get(ConfigKeys.LIMITS_MAX_WAIT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(dotted.get(ConfigKeys.LIMITS_MAX_WAIT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(dotted.get(ConfigKeys.OAUTH_ISSUER)).isEqualTo("i");
    }

    @Test
    void everyKeyReachesTheModuleConfiguration() throws Exception {
        // Given a backend file setting keys that used to be refused, and its keystore
        Path keystore = dir.resolve("k.p12");
        Files.writeString(dir.resolve("k.password"), "pw\n");
        dev.switchboard.backend.LocalKeyManagementService.open(keystore, "pw".toCharArray(), true);
        String yaml = BACKEND_YAML
                        .replace("k.p12", keystore.toString())
                        .replace("k.password", dir.resolve("k.password").toString())
                + "replication-factor: 3\ndefault-partitions: 12\nlimits.max-wait: PT10S\n";

        // When the backend builds its node's configuration
        var backend =
                BackendSettings.from(NodeConfig.parse(yaml, "cluster.yaml")).backendConfig();

        // Then the keys arrive
        assertThat(backend.replicationFactor()).isEqualTo(3);
        assertThat(backend.defaultPartitions()).isEqualTo(12);
        assertThat(backend.limits().maxEventsPerRead()).isEqualTo(10);
        assertThat(backend.limits().maxWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(backend.tailCacheBytes()).isEqualTo(1024);
        assertThat(backend.kafka()).containsEntry("security.protocol", "SASL_SSL");

        // And so do the API's
        var api = ApiSettings.apiConfig(
                NodeConfig.parse("request-timeout: PT3S\nmax-request-bytes: 1000\nread-wait-margin: PT1S", "f"));
        assertThat(api.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(api.maxRequestBytes()).isEqualTo(1000);
        assertThat(api.readWaitMargin()).isEqualTo(Duration.ofSeconds(1));

        // And a rule between limits is named
        assertThatThrownBy(() -> BackendSettings.from(NodeConfig.parse(
                        yaml + "limits.max-event-bytes: 2000\nlimits.max-bytes-per-chunk: 1000\n", "cluster.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("limits.max-event-bytes");
    }

    @Test
    void thePrintedConfigurationMasksSecretsAndSaysWhereEachValueCameFrom() {
        NodeConfig config = NodeConfig.builder()
                .yaml(BACKEND_YAML, "cluster.yaml")
                .environment(Map.of("SWITCHBOARD_NODE_ID", "b-1"))
                .build();

        String printed = String.join("\n", config.describe(Role.BACKEND));

        assertThat(printed)
                .doesNotContain("hunter2")
                .doesNotContain("password=p")
                .contains("shards: \"s0=amqp://guest:***@broker:5672/sb\"  # file cluster.yaml")
                .contains("sasl.jaas.config=***")
                .contains("security.protocol=SASL_SSL")
                .contains("node-id: b-1  # environment variable SWITCHBOARD_NODE_ID")
                .contains("limits.max-wait: PT30S  # default")
                .contains("# node-shard: (not set)")
                .doesNotContain("oauth.issuer"); // an API key: not the backend's
        assertThat(config.describe(Role.API)).anyMatch(line -> line.startsWith("# oauth.issuer: (not set"));
    }

    @Test
    void whatLocalClusterWritesReadsBackTheSame() throws Exception {
        NodeConfig written = NodeConfig.builder()
                .value(ConfigKeys.SHARDS, Map.of("s0", "amqp://u:p@h:5672/v"), "test")
                .value(ConfigKeys.OAUTH_ISSUER, "https://issuer/", "test")
                .value(ConfigKeys.AUTO_CREATE_TOPICS, true, "test")
                .value(ConfigKeys.LIMITS_MAX_WAIT, Duration.ofSeconds(7), "test")
                .value(ConfigKeys.CLUSTER_SECRET_FILE, dir.resolve("secret"), "test")
                .build();

        Path file = Files.writeString(dir.resolve("cluster.yaml"), written.toYaml());
        NodeConfig read = NodeConfig.load(file);

        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat(read.find(key)).as(key.name()).isEqualTo(written.find(key));
        }
        assertThat(read.source(ConfigKeys.OAUTH_ISSUER)).isEqualTo("file " + file);
    }

    @Test
    void everyKeyHasItsOwnEnvironmentVariableAndADescription() {
        Set<String> variables = new HashSet<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat(variables.add(key.environmentVariable()))
                    .as("two keys map to " + key.environmentVariable())
                    .isTrue();
            assertThat(key.description()).as(key.name()).isNotBlank();
            defaultPassesItsCheck(key);
        }
        assertThat(ConfigKeys.TLS_KEYSTORE_PASSWORD_FILE.environmentVariable())
                .isEqualTo("SWITCHBOARD_TLS_KEYSTORE_PASSWORD_FILE");
    }

    private static <T> void defaultPassesItsCheck(ConfigKey<T> key) {
        if (key.defaultValue() != null) {
            assertThat(key.checkedValue(key.defaultValue(), "default")).isEqualTo(key.defaultValue());
        }
    }
}
