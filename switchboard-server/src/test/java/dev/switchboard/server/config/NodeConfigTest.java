package dev.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.api.ApiLimits;
import dev.switchboard.backend.EncryptionConfig;
import dev.switchboard.backend.LocalKeyManagementService;
import dev.switchboard.backend.NodeLimits;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            tail-cache-bytes: 1048576
            dead-letter-topic: dead-letters.{topic}
            replication-factor: 3
            min-insync-replicas: 2
            host: 0.0.0.0
            allow-plain-http: true
            port: 9090
            oauth:
              issuer: https://issuer.example.com/
              audience: switchboard
              jwks-uri: https://issuer.example.com/jwks.json
            encryption:
              keystore: /etc/switchboard/kek.p12
              keystore-password-file: /etc/switchboard/kek.password
              keys-topic: __keys
              key-max-age: PT12H
              accept-unsealed: true
            """;
    /** What an API node needs besides shards. */
    private static final String API_SECURITY =
            "\ncluster-secret-file: s\noauth: {issuer: i, audience: a, jwks-uri: 'https://i/jwks'}"
                    + "\nbootstrap-servers: k:9092";
    /** What a backend needs besides shards, Kafka and the cluster secret. */
    private static final String ENCRYPTION = "\nencryption: {keystore: k.p12, keystore-password-file: k.password}";

    @TempDir
    Path dir;

    @Test
    void theHostileClientLimitsReachBothRolesAndBadValuesNameTheirKey() {
        NodeConfig file = NodeConfig.parse(
                "limits: {max-sessions: 100, max-sessions-per-principal: 7, max-staged-bytes: 1048576,"
                        + " max-prefetch-bytes: 2097152, max-requests-per-principal: 9, prefetch-bytes: 65536}\n"
                        + "max-body-bytes-in-flight: 4194304\nidle-timeout: PT5S\nmin-request-data-rate: 0\n"
                        + "max-connections: 64\nmax-unauthenticated-request-bytes: 1024\nmax-calls-per-principal: 12\n"
                        + "header-timeout: PT3S",
                "c.yaml");

        assertThat(BackendSettings.nodeLimits(file)).isEqualTo(new NodeLimits(100, 7, 1048576, 2097152, 9));
        assertThat(BackendSettings.nodeLimits(file).maxStagedBytesPerPrincipal())
                .isEqualTo(1048576 / 4);
        assertThat(BackendSettings.nodeLimits(
                                NodeConfig.parse("limits: {max-staged-bytes-per-principal: 4096}", "c.yaml"))
                        .maxStagedBytesPerPrincipal())
                .isEqualTo(4096);
        assertThat(BackendSettings.nodeLimits(file).maxPrefetchBytesPerPrincipal())
                .isEqualTo(2097152 / 4);
        assertThat(BackendSettings.nodeLimits(
                                NodeConfig.parse("limits: {max-prefetch-bytes-per-principal: 8192}", "c.yaml"))
                        .maxPrefetchBytesPerPrincipal())
                .isEqualTo(8192);
        assertThat(BackendSettings.limits(file).prefetchBytes()).isEqualTo(65536);
        assertThat(ApiSettings.apiConfig(file).limits())
                .isEqualTo(new ApiLimits(
                        1024,
                        4194304,
                        Duration.ofSeconds(5),
                        0,
                        64,
                        12,
                        Duration.ofSeconds(3),
                        ApiLimits.DEFAULT_MAX_QUEUE_DELAY));
        assertThat(ApiSettings.apiConfig(NodeConfig.parse("", "c.yaml")).limits())
                .isEqualTo(ApiLimits.defaults());
        // the backend's key, read by the API node for its own gate
        NodeConfig queueDelay = NodeConfig.parse("limits: {max-queue-delay: PT0.25S}", "c.yaml");
        assertThat(ApiSettings.apiConfig(queueDelay).limits().maxQueueDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(BackendSettings.nodeLimits(queueDelay).maxQueueDelay()).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> ApiSettings.apiConfig(NodeConfig.parse("limits: {max-queue-delay: PT0S}", "c.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits.max-queue-delay");
        assertThatThrownBy(() ->
                        NodeConfig.parse("limits: {max-sessions: 0}", "c.yaml").get(ConfigKeys.LIMITS_MAX_SESSIONS))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits.max-sessions");
    }

    @Test
    void backendReadsItsKeysFromTheFile() throws Exception {
        // Given a file with every key, and its keystore
        Path keystore = dir.resolve("kek.p12");
        Files.writeString(dir.resolve("kek.password"), "changeit\n");
        LocalKeyManagementService.open(keystore, "changeit".toCharArray(), true);
        NodeConfig file = NodeConfig.parse(
                CLUSTER_YAML.replace("/etc/switchboard/kek", dir.resolve("kek").toString()), "cluster.yaml");

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
        assertThat(settings.backendConfig().tailCacheBytes()).isEqualTo(1_048_576);
        assertThat(settings.backendConfig().deadLetterTopic()).isEqualTo("dead-letters.{topic}");
        assertThat(settings.backendConfig().replicationFactor()).isEqualTo(3);
        assertThat(settings.backendConfig().minInsyncReplicas()).isEqualTo(2);
        assertThat(settings.clusterSecretFile()).isEqualTo(Path.of("/etc/switchboard/secret"));
        EncryptionConfig encryption = settings.backendConfig().encryption();
        assertThat(encryption.enabled()).isTrue();
        assertThat(encryption.keystore()).contains(keystore);
        assertThat(encryption.keystorePassword()).isEqualTo("changeit");
        assertThat(encryption.createKeystore()).isFalse();
        assertThat(encryption.keysTopic()).isEqualTo("__keys");
        assertThat(encryption.keyMaxAge()).isEqualTo(java.time.Duration.ofHours(12));
        assertThat(encryption.acceptUnsealed()).isTrue();

        // And a password that does not open the keystore is a configuration error naming the key
        Files.writeString(dir.resolve("kek.password"), "wrong\n");
        assertThatThrownBy(settings::backendConfig)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("encryption.keystore: cannot read keystore")
                .hasMessageContaining("wrong password?");
    }

    @Test
    void apiReadsItsKeysFromTheSameFile() {
        ApiSettings settings = ApiSettings.from(NodeConfig.parse(CLUSTER_YAML, "cluster.yaml"));

        assertThat(settings.shards()).containsOnlyKeys("s0", "s1");
        assertThat(settings.switchConfig().apiSide()).isTrue();
        assertThat(settings.apiConfig().host()).isEqualTo("0.0.0.0");
        assertThat(settings.apiConfig().port()).isEqualTo(9090);
        assertThat(settings.clusterSecretFile()).isEqualTo(Path.of("/etc/switchboard/secret"));
        assertThat(settings.oauth().issuer()).isEqualTo("https://issuer.example.com/");
        assertThat(settings.tls()).isEmpty();
        assertThat(settings.allowPlainHttp()).isTrue();
    }

    @Test
    void anApiNodeWritesTheAuditStreamToKafkaUnlessAuditIsOff() {
        String withoutKafka = "shards: {s0: 'amqp://h:5672'}"
                + "\ncluster-secret-file: s\noauth: {issuer: i, audience: a, jwks-uri: 'https://i/jwks'}";

        assertThatThrownBy(() -> ApiSettings.from(NodeConfig.parse(withoutKafka, "c.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("bootstrap-servers: required for an API node while audit is on");
        assertThat(ApiSettings.from(NodeConfig.parse(withoutKafka + "\naudit: false", "c.yaml"))
                        .auditBootstrapServers())
                .isEmpty();
        assertThat(ApiSettings.from(NodeConfig.parse(withoutKafka + "\nbootstrap-servers: k:9092", "c.yaml"))
                        .auditBootstrapServers())
                .contains("k:9092");
    }

    @Test
    void plainHttpOnANonLoopbackAddressIsRefusedUnlessAllowed() {
        String yaml = "shards: {s0: 'amqp://h:5672'}" + API_SECURITY;

        assertThatThrownBy(() -> ApiSettings.from(NodeConfig.parse(yaml + "\nhost: 0.0.0.0", "c.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("host: 0.0.0.0 is not a loopback address and tls is not configured")
                .hasMessageContaining("allow-plain-http");
        assertThat(ApiSettings.from(NodeConfig.parse(yaml + "\nhost: localhost", "c.yaml"))
                        .allowPlainHttp())
                .isFalse();
        assertThat(ApiSettings.from(NodeConfig.parse(yaml + "\nhost: 0.0.0.0\nallow-plain-http: true", "c.yaml"))
                        .allowPlainHttp())
                .isTrue();
    }

    @Test
    void flagsWinOverTheFileAndFlagShardsReplaceTheFilesShards() {
        // Given the file and flags for another shard list, node and port
        NodeConfig file = NodeConfig.parse(CLUSTER_YAML, "cluster.yaml");
        NodeConfig flags = NodeConfig.builder()
                .flag(ConfigKeys.SHARDS, Map.of("x", "amqp://h:5672"), "--shard")
                .flag(ConfigKeys.NODE_ID, "api-9", "--node-id")
                .flag(ConfigKeys.HOST, null, "--host")
                .flag(ConfigKeys.PORT, 0, "--port")
                .build();

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
        NodeConfig file = NodeConfig.parse("shards: {s0: 'amqp://127.0.0.1'}" + API_SECURITY, "f");

        ApiSettings api = ApiSettings.from(file);

        assertThat(api.host()).isEqualTo("127.0.0.1");
        assertThat(api.port()).isEqualTo(8080);
        assertThat(api.nodeId()).matches("[A-Za-z0-9_-]+-\\d+-[0-9a-f]{6}");
        assertThat(ApiSettings.from(file).nodeId()).isNotEqualTo(api.nodeId());
    }

    @Test
    void aBackendWithOneShardBelongsToIt() {
        NodeConfig file = NodeConfig.parse(
                "shards: {only: 'amqp://127.0.0.1'}\nbootstrap-servers: k:9092\ncluster-secret-file: s" + ENCRYPTION,
                "f");

        assertThat(BackendSettings.from(file).shard()).isEqualTo("only");
    }

    @Test
    void unknownKeysAreRefusedByName() {
        assertThatThrownBy(() -> NodeConfig.parse("shard: s0\n", "cluster.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.yaml")
                .hasMessageContaining("unknown key 'shard'")
                .hasMessageContaining("node-shard");
    }

    @Test
    void malformedYamlSaysWhere() {
        assertThatThrownBy(() -> NodeConfig.parse("shards:\n  s0: [unclosed\n", "cluster.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.yaml: not a valid configuration at line");
        assertThatThrownBy(() -> NodeConfig.parse("port: eighty\n", "cluster.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a valid configuration");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> NodeConfig.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.yaml does not exist");
    }

    @Test
    void missingOrBadValuesNameTheirKey() {
        assertThatThrownBy(() -> ApiSettings.from(NodeConfig.empty()))
                .hasMessageStartingWith("shards: no shard configured");
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'http://h'}")))
                .hasMessageContaining("shards.s0: the URI must start with amqp://");
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'amqp://h'}\nport: 70000" + API_SECURITY)))
                .hasMessageStartingWith("port:");
        assertThatThrownBy(() -> ApiSettings.from(parse("shards: {s0: 'amqp://h'}\nnode-id: 'a.b'" + API_SECURITY)))
                .hasMessageStartingWith("node-id:");
        assertThatThrownBy(() -> BackendSettings.from(parse("shards: {s0: 'amqp://h'}\ncluster-secret-file: s")))
                .hasMessageStartingWith("bootstrap-servers: required");
        assertThatThrownBy(() -> BackendSettings.from(parse("shards: {s0: 'amqp://h'}\nbootstrap-servers: k:1")))
                .hasMessageStartingWith("cluster-secret-file: required");
        assertThatThrownBy(() ->
                        BackendSettings.from(parse("shards: {s0: 'amqp://h', s1: 'amqp://h'}\nbootstrap-servers: k:1\n"
                                + "cluster-secret-file: s" + ENCRYPTION)))
                .hasMessageStartingWith("node-shard: required when more than one shard");
        assertThatThrownBy(() ->
                        BackendSettings.from(parse("shards: {s0: 'amqp://h'}\nnode-shard: s9\nbootstrap-servers: k:1\n"
                                + "cluster-secret-file: s" + ENCRYPTION)))
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
                + "cluster-secret-file: '" + dir.resolve("secret") + "'" + ENCRYPTION));

        assertThatThrownBy(settings::readClusterSecret)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("every node");

        Files.write(dir.resolve("secret"), new byte[8]);
        assertThatThrownBy(settings::readClusterSecret).hasMessageContaining("holds 8 bytes, at least 16");

        Files.write(dir.resolve("secret"), new byte[32]);
        assertThat(settings.readClusterSecret()).hasSize(32);
    }

    @Test
    void anApiNodeCannotStartWithoutAuthentication() {
        String shards = "shards: {s0: 'amqp://h'}";
        assertThatThrownBy(() -> ApiSettings.from(parse(shards)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cluster-secret-file: required for an API node");
        assertThatThrownBy(() -> ApiSettings.from(parse(shards + "\ncluster-secret-file: s")))
                .hasMessageStartingWith("oauth: required for an API node")
                .hasMessageContaining("issuer, audience, and jwks-uri or jwks-file");
        assertThatThrownBy(() -> ApiSettings.from(
                        parse(shards + "\ncluster-secret-file: s\noauth: {audience: a, jwks-uri: 'https://i'}")))
                .hasMessageStartingWith("oauth.issuer: required");
        assertThatThrownBy(() -> ApiSettings.from(
                        parse(shards + "\ncluster-secret-file: s\noauth: {issuer: i, jwks-uri: 'https://i'}")))
                .hasMessageStartingWith("oauth.audience: required");
        assertThatThrownBy(() ->
                        ApiSettings.from(parse(shards + "\ncluster-secret-file: s\noauth: {issuer: i, audience: a}")))
                .hasMessageStartingWith("oauth: needs exactly one of jwks-uri")
                .hasMessageContaining("jwks-file");
        assertThatThrownBy(() -> ApiSettings.from(parse(
                        shards + "\ncluster-secret-file: s\noauth: {issuer: i, audience: a, jwks-uri: 'ftp://i'}")))
                .hasMessageStartingWith("oauth.jwks-uri: must be an http(s) URL");
        assertThatThrownBy(() -> NodeConfig.parse(shards + "\noauth: {issuer: i, jwks: x}", "cluster.yaml"))
                .hasMessageContaining("unknown key 'oauth.jwks'")
                .hasMessageContaining("jwks-file");
    }

    @Test
    void shardBrokersMayBeReachedOverTls() {
        ApiSettings settings = ApiSettings.from(parse("shards: {s0: 'amqps://u:p@broker-a:5671/sb'}" + API_SECURITY));

        assertThat(settings.switchConfig().shards().get("s0").getScheme()).isEqualTo("amqps");
        assertThat(settings.switchConfig().trustedCertificates()).isEmpty(); // the JVM's trust store
    }

    @Test
    void bothRolesTrustTheAmqpCaFile() throws Exception {
        // Given a file naming a PEM CA for the shard brokers
        Path ca = Files.copy(Path.of(getClass().getResource("/amqp-ca.pem").toURI()), dir.resolve("ca.pem"));
        String yaml = "shards: {s0: 'amqps://u:p@broker-a:5671/sb'}\namqp-ca-file: '" + ca + "'" + API_SECURITY
                + "\nbootstrap-servers: k:1" + ENCRYPTION;

        // When each role reads it, then its switch trusts that file
        assertThat(ApiSettings.from(parse(yaml)).switchConfig().trustedCertificates())
                .contains(ca);
        BackendSettings backend = BackendSettings.from(parse(yaml));
        assertThat(backend.amqpCaFile()).contains(ca);
        assertThat(backend.switchConfig().trustedCertificates()).contains(ca);
        assertThat(backend.switchConfig().apiSide()).isFalse();

        // And flags that do not name one keep the file's
        assertThat(parse(yaml).overriddenBy(NodeConfig.empty()).get(ConfigKeys.AMQP_CA_FILE))
                .isEqualTo(ca);
    }

    @Test
    void aMissingOrNonPemAmqpCaFileIsRefusedByName() throws Exception {
        String shards = "shards: {s0: 'amqps://u:p@broker-a:5671/sb'}" + API_SECURITY;
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> ApiSettings.from(parse(shards + "\namqp-ca-file: '" + missing + "'")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("amqp-ca-file: " + missing + " does not exist");

        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
        assertThatThrownBy(() -> ApiSettings.from(parse(shards + "\namqp-ca-file: '" + key + "'")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("amqp-ca-file: " + key + " holds no certificate");

        assertThatThrownBy(() -> ApiSettings.from(parse(shards + "\namqp-ca-file: ' '")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("amqp-ca-file: must not be empty");
    }

    @Test
    void tlsNeedsAKeystoreWithItsPasswordOrPemFiles() {
        String base = "shards: {s0: 'amqp://h'}" + API_SECURITY;
        assertThatThrownBy(() -> ApiSettings.from(parse(base + "\ntls: {keystore: k.p12}")))
                .hasMessageStartingWith("tls.keystore-password-file: required");
        assertThatThrownBy(() -> ApiSettings.from(parse(base + "\ntls: {certificate: c.pem}")))
                .hasMessageStartingWith("tls: certificate and private-key go together");
        assertThatThrownBy(() -> ApiSettings.from(parse(base + "\ntls: {}")))
                .hasMessageStartingWith("tls: needs either keystore");
        assertThat(ApiSettings.from(parse(base + "\ntls: {certificate: c.pem, private-key: k.pem}"))
                        .tls())
                .isPresent();
    }

    @Test
    void theApiNodesSecurityComesFromItsFiles() throws Exception {
        // Given a cluster secret and a JWK set file
        Files.write(dir.resolve("secret"), new byte[32]);
        Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
        String yaml = "shards: {s0: 'amqp://h'}\ncluster-secret-file: '" + dir.resolve("secret")
                + "'\noauth: {issuer: i, audience: a, jwks-file: '" + dir.resolve("jwks.json") + "'}"
                + "\nbootstrap-servers: k:9092";

        // When the node builds its security
        var security = ApiSettings.from(parse(yaml)).security();

        // Then tokens are checked against that file's keys and calls carry MACs
        assertThat(security.oauth()).hasValueSatisfying(oauth -> {
            assertThat(oauth.issuer()).isEqualTo("i");
            assertThat(oauth.jwks()).contains("{\"keys\":[]}");
        });
        assertThat(security.clusterSecret()).isPresent();

        // And with tls, the keystore's password comes from its file
        Files.writeString(dir.resolve("tls.password"), "tls-pw\n");
        var tls = ApiSettings.from(parse(yaml + "\ntls: {keystore: api.p12, keystore-password-file: '"
                        + dir.resolve("tls.password") + "'}"))
                .security()
                .tls();
        assertThat(tls).hasValueSatisfying(config -> {
            assertThat(config.keystore()).contains(Path.of("api.p12"));
            assertThat(config.keystorePassword()).isEqualTo("tls-pw");
        });

        // And a missing JWK set file or cluster secret is named
        Files.delete(dir.resolve("jwks.json"));
        assertThatThrownBy(() -> ApiSettings.from(parse(yaml)).security())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("oauth.jwks-file: ")
                .hasMessageContaining("does not exist");
        Files.delete(dir.resolve("secret"));
        assertThatThrownBy(() -> ApiSettings.from(parse(yaml)).security())
                .hasMessageStartingWith("cluster-secret-file: ");
    }

    @Test
    void theTailCacheDefaultsTo8MiBAndCannotBeNegative() {
        String base = "shards: {s0: 'amqp://h'}\nbootstrap-servers: k:1\ncluster-secret-file: s\n"
                + "encryption: {keystore: k, keystore-password-file: p}";
        assertThat(BackendSettings.from(parse(base)).tailCacheBytes()).isEqualTo(8L << 20);
        assertThat(BackendSettings.from(parse(base + "\ntail-cache-bytes: 0")).tailCacheBytes())
                .isZero();
        assertThatThrownBy(() -> BackendSettings.from(parse(base + "\ntail-cache-bytes: -1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tail-cache-bytes: must not be negative");
    }

    @Test
    void exactlyOnceWritersAreBoundedBy64AndTheBoundIsConfigurable() {
        String base = "shards: {s0: 'amqp://h'}\nbootstrap-servers: k:1\ncluster-secret-file: s\n"
                + "encryption: {keystore: k, keystore-password-file: p}";
        assertThat(BackendSettings.from(parse(base)).config().get(ConfigKeys.MAX_TRANSACTIONAL_PRODUCERS))
                .isEqualTo(64);
        assertThat(BackendSettings.from(parse(base + "\nmax-transactional-producers: 3"))
                        .config()
                        .get(ConfigKeys.MAX_TRANSACTIONAL_PRODUCERS))
                .isEqualTo(3);
        assertThatThrownBy(() -> BackendSettings.from(parse(base + "\nmax-transactional-producers: -1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("max-transactional-producers: must be within 0..100000");
    }

    @Test
    void aBackendCannotStartWithoutEncryption() throws Exception {
        String base = "shards: {s0: 'amqp://h'}\nbootstrap-servers: k:1\ncluster-secret-file: s";
        assertThatThrownBy(() -> BackendSettings.from(parse(base)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("encryption: required for a backend")
                .hasMessageContaining("keystore-password-file");
        assertThatThrownBy(() -> BackendSettings.from(parse(base + "\nencryption: {keystore-password-file: p}")))
                .hasMessageStartingWith("encryption.keystore: required");
        assertThatThrownBy(() -> BackendSettings.from(parse(base + "\nencryption: {keystore: k}")))
                .hasMessageStartingWith("encryption.keystore-password-file: required");

        // a keystore that is not there is not silently made (each node would make its own key) ...
        String keystore = "encryption: {keystore: '" + dir.resolve("kek.p12") + "', keystore-password-file: '"
                + dir.resolve("kek.password") + "'";
        assertThatThrownBy(() -> BackendSettings.from(parse(base + "\n" + keystore + "}"))
                        .backendConfig())
                .hasMessageStartingWith("encryption.keystore: ")
                .hasMessageContaining("does not exist")
                .hasMessageContaining("create-keystore");
        // ... unless asked to; then the password file must be there
        BackendSettings creating =
                BackendSettings.from(parse(base + "\n" + keystore + ", create-keystore: true, key-max-age: PT1H}"));
        assertThatThrownBy(creating::backendConfig).hasMessageStartingWith("encryption.keystore-password-file: ");
        Files.writeString(dir.resolve("kek.password"), "pw\n");
        var encryption = creating.backendConfig().encryption();
        assertThat(encryption.enabled()).isTrue();
        assertThat(encryption.createKeystore()).isTrue();
        assertThat(encryption.keystorePassword()).isEqualTo("pw");
        assertThat(encryption.keyMaxAge()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(encryption.keysTopic()).isEqualTo("__switchboard_keys");

        assertThatThrownBy(() -> BackendSettings.from(
                                parse(base + "\n" + keystore + ", create-keystore: true, key-max-age: 1h}"))
                        .backendConfig())
                .hasMessageStartingWith("encryption.key-max-age: must be an ISO-8601 duration");
    }

    @Test
    void hostNamesBecomeValidNodeIdParts() {
        assertThat(NodeIds.sanitize("web-3.example.com")).isEqualTo("web-3");
        assertThat(NodeIds.sanitize("wéb_1")).isEqualTo("w-b_1");
        assertThat(NodeIds.sanitize("")).isEqualTo("node");
        assertThat(NodeIds.sanitize("x".repeat(100))).hasSize(40);
        assertThat(NodeIds.unique()).hasSizeLessThanOrEqualTo(64);
    }

    private static NodeConfig parse(String yaml) {
        return NodeConfig.parse(yaml, "test.yaml");
    }
}
