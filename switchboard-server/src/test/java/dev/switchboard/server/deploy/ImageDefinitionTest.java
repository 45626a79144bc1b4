package dev.switchboard.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.config.ConfigKey;
import dev.switchboard.server.config.ConfigKeys;
import dev.switchboard.server.config.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The container image's definition, checked in CI without building it (its base comes from a registry, which CI
 * cannot reach): the Jib configuration of switchboard-server's {@code image} profile and deploy/docker/Dockerfile
 * agree on the entry point (the {@code switchboard} launcher), a non-root user, the exposed ports (the API's
 * {@code port} and the backend's metrics port), the data dir volume and the environment (real keys of the
 * configuration model); the launcher runs the packaged application.
 */
class ImageDefinitionTest {
    private static final String LAUNCHER = "/usr/local/bin/switchboard";
    private static final String DATA_DIR = "/var/lib/switchboard";

    record Image(
            List<String> entrypoint, String user, List<Integer> ports, List<String> volumes, Map<String, String> env) {}

    @Test
    void jibAndTheDockerfileDefineTheSameImage() throws Exception {
        Image jib = jib();
        Image docker = dockerfile();

        assertThat(docker).isEqualTo(jib);
        assertThat(jib.entrypoint()).containsExactly(LAUNCHER);
        assertThat(jib.user()).matches("\\d+:\\d+").doesNotStartWith("0:");
        int metricsPort = ConfigKeys.named("metrics-port")
                .map(key -> ((Number) key.defaultValue()).intValue())
                .orElse(9464);
        assertThat(jib.ports()).containsExactlyInAnyOrder(ConfigKeys.PORT.defaultValue(), metricsPort);
        assertThat(jib.volumes()).containsExactly(DATA_DIR);
        jib.env().forEach((name, value) -> {
            if (name.startsWith("SWITCHBOARD_")) {
                ConfigKey<?> key = ConfigKeys.all().stream()
                        .filter(candidate -> candidate.environmentVariable().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(name + " names no configuration key"));
                assertThat(key).isEqualTo(ConfigKeys.DATA_DIR);
                assertThat(key.readBy(Role.STANDALONE)).isTrue();
            }
        });
        assertThat(jib.env()).containsEntry(ConfigKeys.DATA_DIR.environmentVariable(), DATA_DIR);
    }

    @Test
    void theLauncherRunsThePackagedApplication() throws Exception {
        Path launcher = DeployManifestsTest.deployDir().resolve("docker/switchboard");

        assertThat(Files.readString(launcher))
                .startsWith("#!/bin/sh")
                .contains("exec java -jar /opt/switchboard/switchboard.jar \"$@\"");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE);
        // the Dockerfile and Jib put the application where the launcher looks for it
        assertThat(Files.readString(DeployManifestsTest.deployDir().resolve("docker/Dockerfile")))
                .contains("COPY switchboard-server/target/switchboard/ /opt/switchboard/");
        assertThat(text(profilePlugin(), "into")).isEqualTo("/opt/switchboard");
    }

    private static Image jib() throws Exception {
        Element container = child(profilePlugin(), "container");
        List<String> entrypoint = texts(child(container, "entrypoint"), "arg");
        List<Integer> ports = texts(child(container, "ports"), "port").stream()
                .map(Integer::valueOf)
                .toList();
        List<String> volumes = texts(child(container, "volumes"), "volume");
        Map<String, String> env = new LinkedHashMap<>();
        NodeList variables = child(container, "environment").getChildNodes();
        for (int i = 0; i < variables.getLength(); i++) {
            if (variables.item(i) instanceof Element variable) {
                env.put(variable.getTagName(), variable.getTextContent().strip());
            }
        }
        return new Image(entrypoint, text(container, "user"), ports, volumes, env);
    }

    private static Image dockerfile() throws Exception {
        List<String> entrypoint = List.of();
        String user = null;
        List<Integer> ports = new ArrayList<>();
        List<String> volumes = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DeployManifestsTest.deployDir().resolve("docker/Dockerfile"))) {
            String[] words = line.strip().split("\\s+", 2);
            switch (words[0]) {
                case "ENTRYPOINT" ->
                    entrypoint = Arrays.stream(
                                    words[1].replaceAll("[\\[\\]\"]", "").split(","))
                            .map(String::strip)
                            .toList();
                case "USER" -> user = words[1];
                case "EXPOSE" ->
                    Arrays.stream(words[1].split("\\s+")).map(Integer::valueOf).forEach(ports::add);
                case "VOLUME" -> volumes.add(words[1]);
                case "ENV" -> env.put(words[1].split("=", 2)[0], words[1].split("=", 2)[1]);
                default -> {}
            }
        }
        return new Image(entrypoint, user, ports, volumes, env);
    }

    private static Element profilePlugin() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (text(profile, "id").equals("image")) {
                NodeList plugins = profile.getElementsByTagName("plugin");
                for (int j = 0; j < plugins.getLength(); j++) {
                    Element plugin = (Element) plugins.item(j);
                    if (text(plugin, "artifactId").equals("jib-maven-plugin")) {
                        return plugin;
                    }
                }
            }
        }
        throw new AssertionError("switchboard-server/pom.xml has no 'image' profile with jib-maven-plugin");
    }

    private static Element child(Element parent, String tag) {
        Node node = parent.getElementsByTagName(tag).item(0);
        if (node == null) {
            throw new AssertionError("no <" + tag + "> in <" + parent.getTagName() + ">");
        }
        return (Element) node;
    }

    private static String text(Element parent, String tag) {
        return child(parent, tag).getTextContent().strip();
    }

    private static List<String> texts(Element parent, String tag) {
        List<String> texts = new ArrayList<>();
        NodeList nodes = parent.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent().strip());
        }
        return texts;
    }
}
