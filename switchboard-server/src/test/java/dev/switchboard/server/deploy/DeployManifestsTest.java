package dev.switchboard.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.server.config.ApiSettings;
import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.server.config.ConfigKey;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.NodeConfig;
import dev.switchboard.server.config.Role;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployment files under deploy/: every Kustomize overlay rendered with {@code kubectl kustomize} (skipped
 * with a message where kubectl is not installed), the Strimzi example and the Marathon app definition, checked
 * against the configuration model: the nodes' configuration file parses (no unknown key) and passes each role's
 * checks, every {@code SWITCHBOARD_*} variable names a key its role reads, probes hit {@code /health/live} and
 * {@code /health/ready} on the port the configuration serves them on, the grace period covers preStop plus the
 * drain, every tier has a PodDisruptionBudget, backends keep stable node ids, requests are set and the heap fits.
 */
class DeployManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG_FILE = "/etc/switchboard/config/cluster.yaml";
    /** The backend's probe port when the model has no metrics-port key yet (the ops engineer's default). */
    private static final int BACKEND_HEALTH_PORT_DEFAULT = 9464;

    private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([mg])");

    static Path deployDir() {
        for (Path candidate : List.of(Path.of("deploy"), Path.of("../deploy"))) {
            if (Files.isDirectory(candidate.resolve("kubernetes"))) {
                return candidate;
            }
        }
        throw new AssertionError("deploy/ not found from " + Path.of("").toAbsolutePath());
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "production"})
    void everyOverlayRendersAndKeepsTheInvariants(String overlay) throws Exception {
        List<JsonNode> objects =
                render(deployDir().resolve("kubernetes/overlays").resolve(overlay));

        String configText = objects.stream()
                .filter(object ->
                        kind(object).equals("ConfigMap") && name(object).startsWith("switchboard-config"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no switchboard-config ConfigMap"))
                .at("/data/cluster.yaml")
                .asText();
        List<JsonNode> workloads = objects.stream()
                .filter(object ->
                        kind(object).equals("Deployment") || kind(object).equals("StatefulSet"))
                .filter(object -> container(object).path("image").asText().startsWith("switchboard"))
                .toList();
        assertThat(workloads).extracting(DeployManifestsTest::role).contains(Role.API, Role.BACKEND);

        for (JsonNode workload : workloads) {
            String where = overlay + " " + kind(workload) + " " + name(workload);
            JsonNode pod = workload.at("/spec/template/spec");
            JsonNode container = container(workload);
            Role role = role(workload);

            // the configuration: the ConfigMap's file, then the container's SWITCHBOARD_* variables
            assertThat(container.get("args").get(2).asText()).as(where).isEqualTo(CONFIG_FILE);
            assertThat(mountPath(container, volumeOfConfigMap(pod, "switchboard-config")))
                    .as(where + " mounts the ConfigMap at the --config file's directory")
                    .isEqualTo(Path.of(CONFIG_FILE).getParent().toString());
            NodeConfig config = NodeConfig.builder()
                    .yaml(configText, where + " ConfigMap")
                    .environment(environment(container, role, where))
                    .build();
            if (role == Role.API) {
                ApiSettings.from(config);
            } else {
                BackendSettings.from(config);
            }

            // probes on the real endpoints, on the port the configuration serves them on
            int healthPort = role == Role.API
                    ? config.get(ConfigKeys.PORT)
                    : ConfigKeys.named("metrics-port")
                            .map(key -> ((Number) config.get(key)).intValue())
                            .orElse(BACKEND_HEALTH_PORT_DEFAULT);
            assertThat(container.at("/readinessProbe/httpGet/path").asText())
                    .as(where)
                    .isEqualTo("/health/ready");
            assertThat(container.at("/livenessProbe/httpGet/path").asText())
                    .as(where)
                    .isEqualTo("/health/live");
            assertThat(port(container, container.at("/readinessProbe/httpGet/port")))
                    .as(where)
                    .isEqualTo(healthPort);
            assertThat(port(container, container.at("/livenessProbe/httpGet/port")))
                    .as(where)
                    .isEqualTo(healthPort);

            // the grace period covers preStop and then the drain (backend) or the calls in flight (API)
            long preStop = container.at("/lifecycle/preStop/sleep/seconds").asLong(0);
            Duration drain = role == Role.API ? config.get(ConfigKeys.REQUEST_TIMEOUT) : drainBound(config);
            assertThat(Duration.ofSeconds(
                            pod.get("terminationGracePeriodSeconds").asLong()))
                    .as(where + ": grace period > preStop " + preStop + " s + " + drain)
                    .isGreaterThan(drain.plusSeconds(preStop));

            // a PodDisruptionBudget per tier, selecting these pods
            JsonNode labels = workload.at("/spec/template/metadata/labels");
            assertThat(objects.stream()
                            .filter(object -> kind(object).equals("PodDisruptionBudget"))
                            .filter(pdb -> selects(pdb.at("/spec/selector/matchLabels"), labels)))
                    .as(where + ": a PodDisruptionBudget")
                    .hasSize(1);

            // resources requested, and the heap well inside the memory limit; never root
            assertThat(container.at("/resources/requests/cpu").isMissingNode())
                    .as(where)
                    .isFalse();
            long limit = bytes(container.at("/resources/limits/memory").asText());
            long heap = heapBytes(container, where);
            assertThat(heap)
                    .as(where + ": -Xmx leaves room for the JVM's other memory")
                    .isLessThan(limit * 8 / 10);
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean())
                    .as(where)
                    .isTrue();

            if (role == Role.BACKEND) {
                assertThat(kind(workload)).as(where + ": stable node ids").isEqualTo("StatefulSet");
                assertThat(env(container, "SWITCHBOARD_NODE_ID")
                                .at("/valueFrom/fieldRef/fieldPath")
                                .asText())
                        .as(where + ": the node id is the pod's name")
                        .isEqualTo("metadata.name");
            }
        }
    }

    @Test
    void theStrimziExampleIsTheKafkaTheConfigurationNames() throws Exception {
        String config = Files.readString(deployDir().resolve("kubernetes/base/cluster.yaml"));
        String bootstrap = NodeConfig.parse(config, "cluster.yaml").get(ConfigKeys.BOOTSTRAP_SERVERS);
        List<JsonNode> example =
                readAll(Files.readString(deployDir().resolve("kubernetes/examples/strimzi-kafka.yaml")));

        JsonNode kafka = example.stream()
                .filter(object -> kind(object).equals("Kafka"))
                .findFirst()
                .orElseThrow();
        assertThat(kafka.get("apiVersion").asText()).startsWith("kafka.strimzi.io/");
        assertThat(bootstrap).isEqualTo(name(kafka) + "-kafka-bootstrap:9092");
    }

    @Test
    void theMarathonAppsKeepTheSameInvariants() throws Exception {
        JsonNode group =
                JSON.readTree(deployDir().resolve("marathon/switchboard.json").toFile());
        String configText = Files.readString(deployDir().resolve("kubernetes/base/cluster.yaml"));
        List<Role> roles = new ArrayList<>();
        for (JsonNode app : group.get("apps")) {
            String where = "marathon " + app.get("id").asText();
            Role role = Role.parse(app.get("args").get(0).asText());
            roles.add(role);
            assertThat(app.get("args").get(2).asText()).isEqualTo(CONFIG_FILE);
            Map<String, String> environment = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = app.get("env").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> variable = it.next();
                if (variable.getKey().startsWith("SWITCHBOARD_")) {
                    ConfigKey<?> key = keyOf(variable.getKey(), role, where);
                    environment.put(
                            variable.getKey(),
                            variable.getValue().isTextual()
                                    ? variable.getValue().asText()
                                    : placeholder(key));
                }
            }
            NodeConfig config = NodeConfig.builder()
                    .yaml(configText, where)
                    .environment(environment)
                    .build();
            if (role == Role.API) {
                ApiSettings.from(config);
            } else {
                BackendSettings.from(config);
            }
            int healthPort = role == Role.API
                    ? config.get(ConfigKeys.PORT)
                    : ConfigKeys.named("metrics-port")
                            .map(key -> ((Number) config.get(key)).intValue())
                            .orElse(BACKEND_HEALTH_PORT_DEFAULT);
            JsonNode mapping = app.at("/container/portMappings/0");
            assertThat(mapping.get("containerPort").asInt()).as(where).isEqualTo(healthPort);
            assertThat(app.at("/healthChecks/0/path").asText()).as(where).isEqualTo("/health/live");
            assertThat(app.at("/readinessChecks/0/path").asText()).as(where).isEqualTo("/health/ready");
            assertThat(app.at("/readinessChecks/0/portName").asText())
                    .as(where)
                    .isEqualTo(mapping.get("name").asText());
            Duration drain = role == Role.API ? config.get(ConfigKeys.REQUEST_TIMEOUT) : drainBound(config);
            assertThat(Duration.ofSeconds(app.get("taskKillGracePeriodSeconds").asLong()))
                    .as(where)
                    .isGreaterThan(drain);
            Matcher xmx = XMX.matcher(app.at("/env/JAVA_TOOL_OPTIONS").asText());
            assertThat(xmx.find()).as(where + ": -Xmx set").isTrue();
            long heapMb = Long.parseLong(xmx.group(1)) * (xmx.group(2).equals("g") ? 1024 : 1);
            assertThat(heapMb).as(where).isLessThan(app.get("mem").asLong() * 8 / 10);
        }
        assertThat(roles).contains(Role.API, Role.BACKEND);
    }

    /** The longest a backend's drain may take: the longest duration key of the backend about draining. */
    private static Duration drainBound(NodeConfig config) {
        Duration longest = Duration.ZERO;
        for (ConfigKey<?> key : ConfigKeys.all()) {
            if (key.readBy(Role.BACKEND)
                    && key.name().contains("drain")
                    && config.find(key).orElse(null) instanceof Duration d) {
                longest = d.compareTo(longest) > 0 ? d : longest;
            }
        }
        assertThat(longest).as("the backend has a drain key").isPositive();
        return longest;
    }

    private static Map<String, String> environment(JsonNode container, Role role, String where) {
        Map<String, String> environment = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.get("name").asText();
            if (!name.startsWith("SWITCHBOARD_")) {
                continue;
            }
            ConfigKey<?> key = keyOf(name, role, where);
            if (variable.has("value")) {
                environment.put(name, variable.get("value").asText());
            } else if (variable.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.name")) {
                environment.put(name, "switchboard-pod-0");
            } else {
                assertThat(variable.at("/valueFrom/secretKeyRef").isObject())
                        .as(where + " " + name + ": a value, the pod's name, or a Secret")
                        .isTrue();
                environment.put(name, placeholder(key));
            }
        }
        return environment;
    }

    /** What a Secret holds for {@code key}, for checking the rest of the configuration. */
    private static String placeholder(ConfigKey<?> key) {
        if (key == ConfigKeys.SHARDS) {
            return "s0=amqp://switchboard:secret@rabbitmq-s0:5672/switchboard,"
                    + "s1=amqp://switchboard:secret@rabbitmq-s1:5672/switchboard";
        }
        throw new AssertionError("no placeholder for a Secret holding " + key.name());
    }

    private static ConfigKey<?> keyOf(String variable, Role role, String where) {
        ConfigKey<?> key = ConfigKeys.all().stream()
                .filter(candidate -> candidate.environmentVariable().equals(variable))
                .findFirst()
                .orElseThrow(() -> new AssertionError(where + ": " + variable + " names no configuration key"));
        assertThat(key.readBy(role))
                .as(where + ": " + variable + " is read by role " + role)
                .isTrue();
        return key;
    }

    private static List<JsonNode> render(Path overlay) throws Exception {
        Optional<Path> kubectl = onPath("kubectl");
        assumeTrue(
                kubectl.isPresent(),
                "kubectl is not installed (not on PATH): the Kustomize overlays are not rendered or checked here");
        Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", overlay.toString())
                .redirectErrorStream(true)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("kubectl kustomize " + overlay + ":\n" + text)
                .isZero();
        return readAll(text);
    }

    private static List<JsonNode> readAll(String yaml) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var iterator = YAML.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode object = iterator.next();
                if (object != null && object.isObject()) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String kind(JsonNode object) {
        return object.path("kind").asText();
    }

    private static String name(JsonNode object) {
        return object.at("/metadata/name").asText();
    }

    private static JsonNode container(JsonNode workload) {
        return workload.at("/spec/template/spec/containers/0");
    }

    private static Role role(JsonNode workload) {
        return Role.parse(container(workload).at("/args/0").asText());
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (variable.get("name").asText().equals(name)) {
                return variable;
            }
        }
        throw new AssertionError("no " + name);
    }

    private static String volumeOfConfigMap(JsonNode pod, String configMapPrefix) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.at("/configMap/name").asText().startsWith(configMapPrefix)) {
                return volume.get("name").asText();
            }
        }
        throw new AssertionError("no volume of ConfigMap " + configMapPrefix);
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.get("name").asText().equals(volume)) {
                return mount.get("mountPath").asText();
            }
        }
        throw new AssertionError("volume " + volume + " is not mounted");
    }

    /** A probe's port: a number, or the name of one of the container's ports. */
    private static int port(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode declared : container.path("ports")) {
            if (declared.get("name").asText().equals(port.asText())) {
                return declared.get("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + port.asText());
    }

    private static boolean selects(JsonNode matchLabels, JsonNode labels) {
        if (!matchLabels.isObject() || matchLabels.isEmpty()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = matchLabels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static long heapBytes(JsonNode container, String where) {
        Matcher xmx =
                XMX.matcher(env(container, "JAVA_TOOL_OPTIONS").get("value").asText());
        assertThat(xmx.find()).as(where + ": -Xmx set").isTrue();
        return Long.parseLong(xmx.group(1)) << (xmx.group(2).equals("g") ? 30 : 20);
    }

    private static long bytes(String quantity) {
        Matcher matcher = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertThat(matcher.matches())
                .as("memory quantity in Mi or Gi: " + quantity)
                .isTrue();
        return Long.parseLong(matcher.group(1)) << (matcher.group(2).equals("Gi") ? 30 : 20);
    }
}
